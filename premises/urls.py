from django.urls import path

from . import views

app_name = "premises"

# The premises page itself ("detail", <int:pk>/) shows visits and training too: its view is in
# training, which may read all three, and makesafe/urls.py adds it to these.

urlpatterns = [
    path("", views.premises_list, name="list"),
    path("export.csv", views.premises_export, name="export"),
    path("export.xlsx", views.premises_export_xlsx, name="export_xlsx"),
    path("new/", views.premises_create, name="create"),
    path("import/", views.premises_import_upload, name="import"),
    path("<int:pk>/edit/", views.premises_edit, name="edit"),
    path("<int:pk>/active/", views.premises_deactivate, name="deactivate"),
    path("towns/", views.town_list, name="town_list"),
    path("towns/new/", views.town_create, name="town_create"),
    path("towns/<int:pk>/", views.town_edit, name="town_edit"),
    path("operators/", views.operator_list, name="operator_list"),
    path("operators/<int:pk>/", views.operator_detail, name="operator_detail"),
    path("operators/<int:pk>/edit/", views.operator_edit, name="operator_edit"),
    path("operators/<int:pk>/merge/", views.operator_merge, name="operator_merge"),
]
