from django.apps import AppConfig

from . import checks  # noqa: F401 - registers the deploy checks


class MakesafeConfig(AppConfig):
    """The project package as an app, so that its system checks are registered."""

    name = "makesafe"
