from django.apps import AppConfig


class AuditConfig(AppConfig):
    """DPA 2018 s.62 logs: consultation (access), disclosure and erasure. Sits just above
    accounts, so every app may read from it; it writes its rows from middleware."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
