from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Commanders' reports: aggregation in SQL, small dataclasses out, no models of its own."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
