"""Staff and the second step: with STAFF_REQUIRE_MFA (on in production) staff without an
authenticator app or a passkey reach no admin page, and the admin's own sign-in asks for
the second step of those who have one; `make run`'s demo staff login is left as it was."""

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from episodes.models import Comment
from members.demo import DEMO_PASSWORD, STAFF_EMAIL, members_load_demo
from tests.factories import PASSWORD, CommentFactory, EpisodeFactory, StaffFactory, UserFactory
from tests.two_step import authenticator_app_turn_on, totp_code

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
SETUP_URL = "/accounts/2fa/"
SECOND_STEP_URL = "/accounts/2fa/authenticate/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def required(settings):
    settings.STAFF_REQUIRE_MFA = True


@pytest.fixture
def owner(db):
    return StaffFactory(email="owner@example.com")


def _admin_sign_in(client, email, password=PASSWORD):
    return client.post(ADMIN_LOGIN, {"username": email, "password": password, "next": "/admin/"})


def _every_admin_page(pk_of: dict) -> list[str]:
    """Every page of the admin staff can open with GET: the desk, each app and each
    registered model's list and add page, and the desk's own pages beside them."""
    urls = [reverse("admin:index"), reverse("admin:password_change"), reverse("admin_status")]
    for model in apps.get_models(include_auto_created=False):
        if not admin.site.is_registered(model):
            continue
        opts = model._meta
        urls.append(reverse("admin:app_list", args=[opts.app_label]))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    urls.append(reverse("admin:members_user_change", args=[pk_of["user"]]))
    urls.append(reverse("admin:episodes_episode_change", args=[pk_of["episode"]]))
    urls.append(reverse("admin:episodes_episode_publish", args=[pk_of["episode"]]))
    urls.append(reverse("admin_desk_member_action", args=[pk_of["user"], "pause"]))
    return sorted(set(urls))


def test_staff_without_a_second_factor_reach_no_admin_page(client, required, owner):
    comment = CommentFactory(status=Comment.Status.PENDING)
    pages = _every_admin_page({"user": UserFactory().pk, "episode": EpisodeFactory().pk})
    assert _admin_sign_in(client, owner.email).status_code == 302

    for url in pages:
        response = client.get(url)
        assert (response.status_code, response.get("Location")) == (302, SETUP_URL), url
    for url, data in [
        (reverse("admin_desk_comment_moderate", args=[comment.pk]), {"status": "approved"}),
        (reverse("admin_desk_comment_reply", args=[comment.pk]), {"body": "Hello"}),
        (reverse("admin_desk_episode_preview"), {"body": "Words"}),
        (reverse("admin:episodes_comment_changelist"), {"action": "approve_selected"}),
    ]:
        response = client.post(url, data)
        assert (response.status_code, response.get("Location")) == (302, SETUP_URL), url
    # The admin's own sign-in page, signed in already, goes to the desk: the same way.
    assert client.get(ADMIN_LOGIN, follow=True).redirect_chain[-1] == (SETUP_URL, 302)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert not Comment.objects.filter(parent=comment).exists()


def test_they_are_told_why_on_the_page_that_sets_one_up(client, required, owner):
    _admin_sign_in(client, owner.email)

    page = client.get("/admin/", follow=True)

    assert page.redirect_chain == [(SETUP_URL, 302)]
    content = page.content.decode()
    assert "Staff sign in to the admin in two steps." in content
    assert "Staff need this to use the admin." in content
    assert reverse("mfa_activate_totp") in content


def test_they_can_still_sign_out_of_the_admin(client, required, owner):
    _admin_sign_in(client, owner.email)

    client.post(reverse("admin:logout"))

    assert client.get("/admin/")["Location"].startswith(ADMIN_LOGIN)


def test_with_an_authenticator_app_the_admin_asks_for_it_then_opens(client, required, owner):
    with time_machine.travel("2026-12-06 09:00:00 +0000", tick=False) as clock:
        _admin_sign_in(client, owner.email)
        secret, _ = authenticator_app_turn_on(client, password=PASSWORD)
        assert client.get("/admin/").status_code == 200  # set up: in
        client.post(reverse("admin:logout"))

        clock.shift(60)
        response = _admin_sign_in(client, owner.email)
        assert (response.status_code, response["Location"]) == (302, SECOND_STEP_URL)
        # The right password alone signs nobody in: the admin sends them to sign in again.
        assert client.get("/admin/")["Location"].startswith(ADMIN_LOGIN)

        wrong = client.post(SECOND_STEP_URL, {"code": "000000"})
        assert wrong.status_code == 200
        assert client.get("/admin/")["Location"].startswith(ADMIN_LOGIN)

        right = client.post(SECOND_STEP_URL, {"code": totp_code(secret)})
        assert (right.status_code, right["Location"]) == (302, "/admin/")
        desk = client.get("/admin/")
        assert desk.status_code == 200
        assert "This Sunday" in desk.content.decode()


def test_the_admin_sign_in_asks_for_the_second_step_even_when_not_required(client, owner):
    """STAFF_REQUIRE_MFA only decides whether staff must have one; whoever has one is
    always asked for it, at the admin's sign-in as at the site's."""
    with time_machine.travel("2026-12-06 09:00:00 +0000", tick=False) as clock:
        _admin_sign_in(client, owner.email)
        authenticator_app_turn_on(client, password=PASSWORD)
        client.post(reverse("admin:logout"))
        clock.shift(60)

        response = _admin_sign_in(client, owner.email)

        assert response["Location"] == SECOND_STEP_URL
        assert client.get("/admin/")["Location"].startswith(ADMIN_LOGIN)


def test_a_passkey_is_a_second_factor_too(client, required, owner):
    Authenticator.objects.create(user=owner, type=Authenticator.Type.WEBAUTHN, data={})
    client.force_login(owner)  # as after the passkey's own sign-in

    assert client.get("/admin/").status_code == 200


def test_recovery_codes_alone_are_not_a_second_factor(client, required, owner):
    Authenticator.objects.create(user=owner, type=Authenticator.Type.RECOVERY_CODES, data={})
    client.force_login(owner)

    assert client.get("/admin/")["Location"] == SETUP_URL


def test_members_are_not_kept_from_the_site(client, required, free_member):
    client.force_login(free_member)

    assert client.get("/account/").status_code == 200


def test_make_runs_demo_staff_sign_in_to_the_admin_without_a_second_factor(settings):
    settings.STAFF_REQUIRE_MFA = False  # as DJANGO_DEBUG=true (make run) leaves it
    members_load_demo(with_logins=True, tally=Counter())
    client = Client()

    response = _admin_sign_in(client, STAFF_EMAIL, DEMO_PASSWORD)

    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200


def _setting(name: str, **env) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "STAFF_"))}
    result = subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; print(settings.{name})"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "backinshape.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "required"),
    [
        ({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "x" * 60}, "True"),
        ({"DJANGO_DEBUG": "true"}, "False"),
        ({"DJANGO_DEBUG": "true", "STAFF_REQUIRE_MFA": "true"}, "True"),
        (
            {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "x" * 60, "STAFF_REQUIRE_MFA": "0"},
            "False",
        ),
    ],
)
def test_the_requirement_is_on_in_production_and_off_in_development(env, required):
    assert _setting("STAFF_REQUIRE_MFA", **env) == required


def test_a_sign_in_code_by_email_still_asks_for_the_second_step(client, mailoutbox):
    member = UserFactory(email="maya@example.com")
    TOTP.activate(member, generate_totp_secret())

    client.post(reverse("account_request_login_code"), {"email": member.email})
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mailoutbox[-1].body, re.M).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert (response.status_code, response["Location"]) == (302, SECOND_STEP_URL)
    assert client.get("/account/").status_code == 302  # not signed in yet


def test_the_authenticator_list_never_shows_a_secret(client, owner):
    secret = generate_totp_secret()
    totp = TOTP.activate(owner, secret).instance
    client.force_login(owner)

    listing = client.get(reverse("admin:mfa_authenticator_changelist"))
    page = client.get(reverse("admin:mfa_authenticator_change", args=[totp.pk]))

    assert listing.status_code == page.status_code == 200
    assert owner.email in listing.content.decode()
    assert secret not in listing.content.decode() + page.content.decode()
    assert "data" not in page.context["adminform"].form.fields


def test_only_a_superuser_removes_someones_second_step(owner):
    helper = UserFactory(email="helper@example.com", is_staff=True)
    helper.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="mfa",
            codename__in=["view_authenticator", "delete_authenticator"],
        )
    )
    totp = TOTP.activate(UserFactory(email="maya@example.com"), generate_totp_secret()).instance
    url = reverse("admin:mfa_authenticator_delete", args=[totp.pk])

    refused = Client()
    refused.force_login(helper)
    assert refused.post(url, {"post": "yes"}).status_code == 403
    assert Authenticator.objects.filter(pk=totp.pk).exists()

    superuser = Client()
    superuser.force_login(owner)
    assert superuser.post(url, {"post": "yes"}).status_code == 302
    assert not Authenticator.objects.filter(pk=totp.pk).exists()
