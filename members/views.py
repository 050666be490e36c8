import json
import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from common.origin_check import csrf_token_or_same_origin
from common.rate_limits import rate_setting

from . import selectors, services
from .account_panels import account_panels
from .exports import member_data_export
from .forms import (
    AccountDeleteForm,
    CheckinRemindersForm,
    CheckoutForm,
    DisplayNameForm,
    SubscribeForm,
    SundayEmailForm,
)
from .models import Subscriber
from .stripe_client import stripe_is_configured

logger = logging.getLogger(__name__)


@csrf_token_or_same_origin
@require_http_methods(["GET", "HEAD", "POST"])
# Each request sends a confirmation email: cap them per IP address so the form cannot be
# used to flood someone's inbox.
@ratelimit(
    group="subscribe",
    key="ip",  # common.client_ip, through RATELIMIT_IP_META_KEY
    rate=rate_setting("SUBSCRIBE_RATE_LIMIT"),
    method="POST",
    block=False,
)
def subscribe(request):
    if request.method == "POST":
        form = SubscribeForm(request.POST)
        if request.limited:
            form.is_valid()
            form.add_error(
                None,
                "You've asked several times in a short while. Please wait an hour and "
                "try again, or check your inbox (and spam folder) for our email.",
            )
            return render(request, "members/subscribe.html", {"form": form}, status=429)
        if form.is_valid():
            services.subscriber_request(email=form.cleaned_data["email"])
            return render(
                request, "members/subscribe_sent.html", {"email": form.cleaned_data["email"]}
            )
        return render(request, "members/subscribe.html", {"form": form}, status=400)
    return render(request, "members/subscribe.html", {"form": SubscribeForm()})


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe_confirm(request, token):
    subscriber = get_object_or_404(Subscriber, token=token)
    if request.method == "POST":
        services.subscriber_confirm(subscriber=subscriber)
        messages.success(request, "You're subscribed. Look out for the next episode on Sunday.")
        return redirect(settings.MEMBERS_HOME_URL)
    return render(request, "members/subscribe_confirm.html", {"subscriber": subscriber})


# RFC 8058 one-click unsubscribe: mail providers POST here with no cookies and no CSRF
# token, so the signed or random token in the URL is the only credential. GET only shows
# a page, because mail scanners follow links.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    email = services.sunday_email_address_for_token(token)
    if email is None:
        raise Http404("No such unsubscribe link.")
    if request.method == "POST":
        services.sunday_email_unsubscribe(email=email)
        return render(request, "members/unsubscribed.html", {"email": email})
    already = selectors.sunday_email_is_unsubscribed(email=email)
    return render(
        request, "members/unsubscribe.html", {"email": email, "already_unsubscribed": already}
    )


# --- Premium membership ---------------------------------------------------------------------


def _redirect_see_other(url: str) -> HttpResponseRedirect:
    # 303 tells the browser to GET the next page, as Stripe recommends after a form POST.
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _membership_page(request, *, form=None, status=200):
    return render(
        request,
        "members/membership.html",
        {
            "plans": selectors.plans_on_offer(),
            "summary": selectors.membership_summary(user=request.user),
            "email_verified": selectors.member_email_verified(request.user),
            "stripe_configured": stripe_is_configured(),
            "form": form,
        },
        status=status,
    )


@require_safe
def membership(request):
    """The plans, what premium includes, and the way in for each kind of visitor."""
    return _membership_page(request)


def _sign_in_first(next_url_name: str):
    """Like login_required, for POST-only actions: after signing in, come back to the page
    the form was on (a GET of the action itself would only be refused)."""
    return redirect_to_login(reverse(next_url_name))


@require_POST
def checkout(request):
    """Join premium: start Stripe Checkout for the chosen plan."""
    if not request.user.is_authenticated:
        return _sign_in_first("members:membership")
    if not selectors.member_email_verified(request.user):
        messages.warning(
            request,
            "Please confirm your email address before joining premium. "
            "Check your inbox for our link, or send a new one from your email settings.",
        )
        return redirect("members:membership")
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        return _membership_page(request, form=form, status=400)
    try:
        url = services.checkout_session_create(user=request.user, plan=form.cleaned_data["plan"])
    except services.AlreadySubscribed:
        messages.info(
            request,
            "You already have a premium subscription. You can change your plan with "
            "Manage billing.",
        )
        return redirect("members:account")
    except services.PlanUnavailable:
        messages.warning(request, "That plan is not available any more. Please choose another.")
        return redirect("members:membership")
    except services.BillingError:
        messages.error(
            request,
            "We couldn't start the checkout just now, and nothing has been charged. "
            "Please try again in a few minutes.",
        )
        return redirect("members:membership")
    return _redirect_see_other(url)


@require_safe
@login_required
def checkout_success(request):
    """Back from Checkout: confirm with Stripe itself before showing anything as paid."""
    unavailable = False
    try:
        result = services.checkout_session_confirm(
            user=request.user, session_id=request.GET.get("session_id", "")
        )
    except services.BillingError:
        result = None
        unavailable = True  # Stripe did not answer: say so, and try again shortly
    is_pending = result == services.CheckoutConfirmation.PENDING
    status = 404 if result == services.CheckoutConfirmation.NOT_FOUND else 200
    return render(
        request,
        "members/checkout_success.html",
        {
            "is_confirmed": result == services.CheckoutConfirmation.CONFIRMED,
            "is_pending": is_pending,
            "is_unavailable": unavailable,
            "is_expired": result == services.CheckoutConfirmation.EXPIRED,
            # The CSP forbids inline scripts, so a pending page refreshes with a meta tag.
            "refresh": is_pending or unavailable,
            "membership": selectors.membership_for_user(request.user),
        },
        status=status,
    )


@require_POST
def billing_portal(request):
    """Manage billing: open the Stripe Customer Portal, which returns to /account/."""
    if not request.user.is_authenticated:
        return _sign_in_first("members:account")
    try:
        url = services.billing_portal_session_create(user=request.user)
    except services.NoBillingAccount:
        messages.info(request, "You don't have any billing to manage yet.")
        return redirect("members:membership")
    except services.BillingError:
        messages.error(
            request,
            "We couldn't open billing just now. Please try again in a few minutes.",
        )
        return redirect("members:account")
    return _redirect_see_other(url)


# Stripe posts here with no cookies or CSRF token: the signature over the raw body, made
# with the endpoint's secret, is the only credential (https://docs.stripe.com/webhooks).
@csrf_exempt
@require_POST
def stripe_webhook(request):
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        logger.error("Stripe webhook refused: STRIPE_WEBHOOK_SECRET is not set.")
        return HttpResponseBadRequest("Webhook not configured.", content_type="text/plain")
    signature = request.headers.get("Stripe-Signature", "")
    try:
        stripe.WebhookSignature.verify_header(
            request.body, signature, secret, stripe.Webhook.DEFAULT_TOLERANCE
        )
        event = json.loads(request.body)
    except stripe.SignatureVerificationError:
        logger.warning("Stripe webhook refused: missing or invalid signature.")
        return HttpResponseBadRequest("Invalid signature.", content_type="text/plain")
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested too deep to read
        return HttpResponseBadRequest("Invalid payload.", content_type="text/plain")

    try:
        _record, created = services.stripe_event_receive(event=event)
    except services.StripeEventMalformed as exc:
        logger.warning("Stripe webhook refused a signed body: %s.", exc)
        return HttpResponseBadRequest("Not a Stripe event.", content_type="text/plain")
    return JsonResponse({"received": True, "duplicate": not created})


# --- The member's own page ------------------------------------------------------------------


def _private_feed_url(user) -> str:
    """A premium member's own podcast feed address (made on first look), else ""."""
    if not selectors.member_has_premium(user):
        return ""
    feed_token = services.feed_token_get_or_create(user=user)
    path = reverse(settings.MEMBERS_PRIVATE_FEED_URL, args=[feed_token.token])
    return f"{settings.SITE_URL}{path}"


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def account(request):
    """Display name, email, password, membership, billing, the Sunday email, and leaving."""
    user = request.user
    name_form = DisplayNameForm(initial={"display_name": user.display_name})
    form = SundayEmailForm(initial={"wants_sunday_email": user.wants_sunday_email})
    reminders_form = CheckinRemindersForm(
        initial={"wants_checkin_reminders": user.wants_checkin_reminders}
    )
    status = 200
    if request.method == "POST" and request.POST.get("form") == "feed_reset":
        if selectors.member_has_premium(user):
            services.feed_token_reset(user=user)
            messages.success(
                request,
                "Done: your private feed has a new address, and the old one has stopped. "
                "Add the new one to your podcast app.",
            )
        return redirect("members:account")
    if request.method == "POST" and request.POST.get("form") == "display_name":
        name_form = DisplayNameForm(request.POST, user=user)
        if name_form.is_valid():
            services.member_display_name_set(
                user=user, display_name=name_form.cleaned_data["display_name"]
            )
            messages.success(request, "Saved. Your comments now show your new display name.")
            return redirect("members:account")
        status = 400
    elif request.method == "POST" and request.POST.get("form") == "checkin_reminders":
        reminders_form = CheckinRemindersForm(request.POST)
        if reminders_form.is_valid():
            wants = reminders_form.cleaned_data["wants_checkin_reminders"]
            services.member_checkin_reminders_set(user=user, wants_checkin_reminders=wants)
            messages.success(
                request,
                "Saved. We'll remind you to check in the morning after a session."
                if wants
                else "Saved. We won't send you check-in reminders.",
            )
            return redirect("members:account")
        status = 400
    elif request.method == "POST":
        form = SundayEmailForm(request.POST)
        if form.is_valid():
            wants = form.cleaned_data["wants_sunday_email"]
            services.member_sunday_email_set(user=user, wants_sunday_email=wants)
            messages.success(
                request,
                "Saved. You'll get the Sunday email."
                if wants
                else "Saved. We won't send you the Sunday email.",
            )
            return redirect("members:account")
        status = 400
    return render(
        request,
        "members/account.html",
        {
            "form": form,
            "name_form": name_form,
            "reminders_form": reminders_form,
            "summary": selectors.membership_summary(user=user),
            "private_feed_url": _private_feed_url(user),
            "email_verified": selectors.member_email_verified(user),
            "has_password": user.has_usable_password(),
            "two_step": selectors.two_step_status(user),
            "account_panels": account_panels(user=user),
        },
        status=status,
    )


@require_safe
@login_required
@never_cache  # personal data: no shared cache or back button should keep a copy
def account_export(request):
    """Download all my data: one JSON file of everything we hold about the member."""
    response = JsonResponse(
        member_data_export(user=request.user),
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    response["Content-Disposition"] = 'attachment; filename="back-in-shape-my-data.json"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def account_delete(request):
    """Delete the account after a confirmation; any subscription is cancelled first."""
    user = request.user
    if request.method == "POST":
        form = AccountDeleteForm(request.POST)
        if form.is_valid():
            try:
                services.account_delete(user=user)
            except services.BillingError:
                form.add_error(
                    None,
                    "We couldn't cancel your subscription with Stripe just now, so we "
                    "haven't deleted anything. Please try again in a few minutes.",
                )
                status = 503
            else:
                logout(request)
                messages.success(
                    request, "Your account has been deleted. Thank you for being with us."
                )
                return redirect(settings.MEMBERS_HOME_URL)
        else:
            status = 400
    else:
        form = AccountDeleteForm()
        status = 200
    membership = selectors.membership_for_user(user)
    return render(
        request,
        "members/account_delete.html",
        {
            "form": form,
            "membership": membership,
            "has_open_subscription": selectors.membership_has_open_subscription(membership),
        },
        status=status,
    )
