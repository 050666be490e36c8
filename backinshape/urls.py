import re

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control
from django.views.generic import TemplateView

from episodes.sitemaps import SITEMAPS as EPISODE_SITEMAPS
from pages.sitemaps import SitePageSitemap
from programs.sitemaps import ExerciseSitemap, RoutineSitemap

from . import views

SITEMAPS = {
    **EPISODE_SITEMAPS,
    "routines": RoutineSitemap,
    "exercises": ExerciseSitemap,
    "site-pages": SitePageSitemap,
}

urlpatterns = [
    path("", include("episodes.urls")),
    path("", include("members.urls")),
    path("program/", include("programs.urls")),
    path("account/program-data/", include("programs.account_urls")),
    path("", include("pages.urls")),  # /privacy/, /terms/, /contact/ and the rest
    path("accounts/", include("allauth.urls")),
    # The staff desk's sign-in, buttons, member actions and the status page, before the
    # admin's own pages.
    path("admin/", include("staff.urls")),
    path("admin/", admin.site.urls),
    path("anymail/", include("members.esp_webhooks")),  # email provider tracking webhooks
    # Development stand-ins, 404 on a real site: demo payments (DEBUG on, no Stripe key)
    # and the outbox of every email sent (DEBUG on).
    path("demo-stripe/", include("demostripe.urls")),
    path("dev/outbox/", include("outbox.urls")),
    path("healthz", views.healthz, name="healthz"),
    path(
        "robots.txt",
        # The same for everyone: public, so caches (and compression) may share it.
        cache_control(public=True, max_age=60 * 60 * 24)(
            TemplateView.as_view(template_name="robots.txt", content_type="text/plain")
        ),
        name="robots",
    ),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
]

if settings.DEBUG:
    # Uploaded audio in development, with byte ranges so players can seek (views.media).
    urlpatterns.append(
        re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", views.media)
    )

handler400 = "backinshape.views.bad_request"
handler404 = "backinshape.views.page_not_found"
handler500 = "backinshape.views.server_error"
