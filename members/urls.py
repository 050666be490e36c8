from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", views.subscribe_confirm, name="subscribe_confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("membership/", views.membership, name="membership"),
    path("membership/checkout/", views.checkout, name="checkout"),
    path("membership/success/", views.checkout_success, name="checkout_success"),
    path("membership/portal/", views.billing_portal, name="billing_portal"),
    path("membership/webhook/", views.stripe_webhook, name="webhook"),
    path("account/", views.account, name="account"),
    path("account/export.json", views.account_export, name="account_export"),
    path("account/delete/", views.account_delete, name="account_delete"),
]
