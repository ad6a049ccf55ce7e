"""Production URLs plus `/bench/plain-visits/`, the baseline the visits list is measured against."""

from django.urls import path

from makesafe.urls import handler403, handler404, handler500
from makesafe.urls import urlpatterns as production

from . import views

urlpatterns = [path("bench/plain-visits/", views.plain_visits), *production]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
