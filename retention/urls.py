from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.retention_queue, name="queue"),
    path("<int:pk>/", views.retention_decide, name="decide"),
]
