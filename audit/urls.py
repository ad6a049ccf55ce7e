from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("disclose/", views.disclose, name="disclose"),
    path("log/", views.audit_log, name="log"),
    path("log.csv", views.audit_export, name="export"),
    path("history/<str:model>/<int:pk>/", views.record_history, name="history"),
]
