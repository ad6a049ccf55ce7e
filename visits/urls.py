from django.urls import path

from . import views

app_name = "visits"

urlpatterns = [
    path("", views.visit_list, name="list"),
    path("export.csv", views.visit_export, name="export"),
    path("export.xlsx", views.visit_export_xlsx, name="export_xlsx"),
    path("log/", views.visit_log, name="log"),
    path("log/<int:premises_pk>/", views.visit_create, name="create"),
    path("import/", views.visit_import, name="import"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("<int:pk>/edit/", views.visit_edit, name="edit"),
    path("operations/", views.operation_list, name="operation_list"),
    path("operations/new/", views.operation_create, name="operation_create"),
    path("operations/<int:pk>/", views.operation_detail, name="operation_detail"),
    path("operations/<int:pk>/edit/", views.operation_edit, name="operation_edit"),
    path("operations/<int:pk>/close/", views.operation_close_view, name="operation_close"),
    path("operations/<int:pk>/team/", views.operation_team, name="operation_team"),
    path("operations/<int:pk>/approve/", views.operation_approve, name="operation_approve"),
    path("operations/<int:pk>/start/", views.operation_start_view, name="operation_start"),
    path("operations/<int:pk>/order/", views.operation_order, name="operation_order"),
    path("operations/<int:pk>/briefing/", views.operation_briefing, name="operation_briefing"),
    path(
        "operations/<int:pk>/briefing.pdf",
        views.operation_briefing_pdf,
        name="operation_briefing_pdf",
    ),
    path("cadets/", views.participant_list, name="participant_list"),
    path("cadets/new/", views.participant_create, name="participant_create"),
    path("cadets/<int:pk>/", views.participant_edit, name="participant_edit"),
    path("scenarios/", views.scenario_list, name="scenario_list"),
    path("scenarios/new/", views.scenario_create, name="scenario_create"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario_detail"),
    path("scenarios/<int:pk>/edit/", views.scenario_edit, name="scenario_edit"),
    path("scenarios/library/", views.library, name="library"),
    path("scenarios/library/<int:pk>/", views.library_adopt, name="library_adopt"),
    path("national/scenarios/", views.national_scenario_list, name="national_scenario_list"),
    path(
        "national/scenarios/new/",
        views.national_scenario_create,
        name="national_scenario_create",
    ),
    path(
        "national/scenarios/<int:pk>/revise/",
        views.national_scenario_revise,
        name="national_scenario_revise",
    ),
    path("sw.js", views.service_worker, name="service_worker"),
]
