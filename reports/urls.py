from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("press/", views.press, name="press"),
    path("press.txt", views.press_text, name="press_text"),
    path("<slug:report>/", views.report, name="report"),
    path("<slug:report>/print/", views.report_print, name="report_print"),
    path("<slug:report>.csv", views.report_csv, name="report_csv"),
    path("<slug:report>.pdf", views.report_pdf, name="report_pdf"),
    path("<slug:report>.xlsx", views.report_xlsx, name="report_xlsx"),
]
