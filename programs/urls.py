from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("history/", views.history, name="history"),
    path("history.csv", views.history_csv, name="history_csv"),
    path("start/", views.start, name="start"),
    path("flare-up/", views.flare_up, name="flare_up"),
    path("resume/", views.resume, name="resume"),
    path("consent/", views.consent, name="consent"),
    path("get-help-now/", views.seek_care, name="seek_care"),
    path("sessions/<int:session_id>/check-in/", views.checkin, name="checkin"),
    path("exercises/<slug:slug>/", views.exercise_detail, name="exercise"),
    path("reminders/stop/<str:token>/", views.reminders_stop, name="reminders_stop"),
    path("<slug:phase_slug>/<slug:routine_slug>/", views.routine_detail, name="routine"),
    path("<slug:phase_slug>/<slug:routine_slug>/log/", views.session_log, name="session_log"),
]
