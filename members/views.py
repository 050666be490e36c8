from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services
from .forms import SubscribeForm
from .models import Subscriber


@require_http_methods(["GET", "POST"])
def subscribe(request):
    if request.method == "POST":
        form = SubscribeForm(request.POST)
        if form.is_valid():
            services.subscriber_request(email=form.cleaned_data["email"])
            return render(
                request, "members/subscribe_sent.html", {"email": form.cleaned_data["email"]}
            )
        return render(request, "members/subscribe.html", {"form": form}, status=400)
    return render(request, "members/subscribe.html", {"form": SubscribeForm()})


@require_http_methods(["GET", "POST"])
def subscribe_confirm(request, token):
    subscriber = get_object_or_404(Subscriber, token=token)
    if request.method == "POST":
        services.subscriber_confirm(subscriber=subscriber)
        messages.success(request, "You're subscribed. Look out for the next episode on Sunday.")
        return redirect("episodes:home")
    return render(request, "members/subscribe_confirm.html", {"subscriber": subscriber})


# RFC 8058 one-click unsubscribe: mail providers POST here with no cookies and no CSRF
# token, so the random token in the URL is the only credential. GET only shows a page,
# because mail scanners follow links.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    subscriber = get_object_or_404(Subscriber, token=token)
    if request.method == "POST":
        services.subscriber_unsubscribe(subscriber=subscriber)
        return render(request, "members/unsubscribed.html", {"subscriber": subscriber})
    return render(request, "members/unsubscribe.html", {"subscriber": subscriber})
