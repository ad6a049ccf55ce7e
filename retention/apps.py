from django.apps import AppConfig


class RetentionConfig(AppConfig):
    """Retention review: records past their review date are retained or disposed of."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "retention"
