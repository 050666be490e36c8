from django.urls import path

from . import views

app_name = "demostripe"

urlpatterns = [
    path("checkout/<str:session_id>/", views.checkout, name="checkout"),
    path("portal/<str:portal_id>/", views.portal, name="portal"),
]
