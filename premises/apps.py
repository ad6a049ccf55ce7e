from django.apps import AppConfig


class PremisesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "premises"
