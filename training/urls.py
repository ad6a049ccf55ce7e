from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/assign/", views.queue_assign_view, name="assign"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/week/", views.session_week, name="session_week"),
    path("sessions/mine.ics", views.my_sessions_ics, name="my_sessions_ics"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/deliver/", views.session_deliver, name="session_deliver"),
    path("sessions/<int:pk>/session.ics", views.session_ics, name="session_ics"),
    path("letters/<int:visit_pk>/", views.letter, name="letter"),
    path("letters/<int:visit_pk>/sent/", views.letter_sent, name="letter_sent"),
    path("documents/<int:pk>.pdf", views.document, name="document"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/new/", views.notice_create, name="notice_create"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/edit/", views.notice_edit, name="notice_edit"),
    path("notices/<int:pk>/served/", views.notice_served, name="notice_served"),
    path("notices/<int:notice_pk>/requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_edit, name="request_edit"),
    path("requests/<int:pk>/sent/", views.request_sent, name="request_sent"),
]
