"""The member's Program data, on their account pages (/account/program-data/)."""

from django.urls import path

from . import views

app_name = "program_data"

urlpatterns = [
    path("", views.program_data, name="manage"),
]
