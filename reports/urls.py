from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("press/", views.press, name="press"),
    path("press.txt", views.press_text, name="press_text"),
    # Before the force's reports, whose slug would take "national".
    path("national/", views.national_dashboard, name="national"),
    path("national/press/", views.national_press, name="national_press"),
    path("national/campaigns/", views.campaign_list, name="campaign_list"),
    path("national/campaigns/new/", views.campaign_create, name="campaign_create"),
    path("national/campaigns/<int:pk>/", views.campaign_edit, name="campaign_edit"),
    path("national/<slug:figures>/", views.national_report, name="national_report"),
    path("national/<slug:figures>.csv", views.national_csv, name="national_csv"),
    path("national/<slug:figures>.pdf", views.national_pdf, name="national_pdf"),
    path("<slug:report>/", views.report, name="report"),
    path("<slug:report>/print/", views.report_print, name="report_print"),
    path("<slug:report>.csv", views.report_csv, name="report_csv"),
    path("<slug:report>.pdf", views.report_pdf, name="report_pdf"),
    path("<slug:report>.xlsx", views.report_xlsx, name="report_xlsx"),
]
