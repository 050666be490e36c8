from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<slug:phase_slug>/<slug:routine_slug>/", views.routine_detail, name="routine"),
]
