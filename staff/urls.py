"""The staff's pages beside the admin's own, under /admin/ (backinshape/urls.py includes
them before admin.site.urls, so the sign-in here is the one that answers).

Everything but the sign-in is wrapped in `admin.site.admin_view`: staff only, with a second
factor while STAFF_REQUIRE_MFA is on (staff/site.py), CSRF-protected, never cached.
"""

from django.contrib import admin
from django.urls import path

from . import desk, member_page, status
from .login import admin_login

urlpatterns = [
    path("login/", admin_login, name="admin_login"),
    path("status/", admin.site.admin_view(status.operations_status_page), name="admin_status"),
    # The desk's buttons and the episode preview.
    path(
        "desk/comments/<int:pk>/moderate/",
        admin.site.admin_view(desk.comment_moderate),
        name="admin_desk_comment_moderate",
    ),
    path(
        "desk/comments/<int:pk>/reply/",
        admin.site.admin_view(desk.comment_reply),
        name="admin_desk_comment_reply",
    ),
    path(
        "desk/episode-preview/",
        admin.site.admin_view(desk.episode_preview),
        name="admin_desk_episode_preview",
    ),
    path(
        "desk/members/<int:pk>/<slug:action>/",
        admin.site.admin_view(member_page.member_action),
        name="admin_desk_member_action",
    ),
]
