from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for laptops and training rooms. Sits at the end of the app chain: imports all."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
