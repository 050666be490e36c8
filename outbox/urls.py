from django.urls import path

from . import views

app_name = "outbox"

urlpatterns = [
    path("", views.message_list, name="list"),
    path("<int:pk>/", views.message_detail, name="message"),
    path("<int:pk>/html/", views.message_html, name="html"),
]
