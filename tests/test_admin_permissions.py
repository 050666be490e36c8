"""Who may act in the admin: every desk button, member action, status page, preview and
admin action checks the model permission its admin page needs.

The matrix: each action against four members of staff. One with no permissions at all and one
with every view permission are refused (403) and nothing changes, unless viewing is all
the action takes; one with exactly the permissions the action needs, and a superuser, get
it done.
"""

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from episodes.mailing import release_mailing_prepare
from episodes.models import Comment, Episode, PodcastShow, ReleaseDelivery, ReleaseMailing
from members.models import FeedToken, Membership, User
from programs import services as program_services
from programs.demo import program_load_demo
from programs.models import MemberProgress, PauseReason, ProgressEvent, Unlock
from tests.factories import (
    CommentFactory,
    EpisodeFactory,
    MembershipFactory,
    ProgramConsentFactory,
    StaffFactory,
    SubscriberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PERSONAS = ["no_permissions", "view_only", "exactly_needed", "superuser"]


def staff_member(persona: str, needs: tuple[str, ...] = ()) -> User:
    """A member of staff with the persona's permissions, granted one by one."""
    if persona == "superuser":
        return StaffFactory(email="owner@example.com")
    user = UserFactory(email="desk.staff@example.com", is_staff=True, is_superuser=False)
    if persona == "view_only":
        user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    elif persona == "exactly_needed":
        for need in needs:
            app_label, codename = need.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return User.objects.get(pk=user.pk)  # no cached permissions


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@dataclass
class Case:
    """One thing staff can do: what it needs, how to do it, and how to tell it was done."""

    name: str
    needs: tuple[str, ...]
    setup: Callable[[], dict]
    act: Callable[[Client, dict], object]
    done: Callable[[object, dict], bool]
    allowed_status: int = 302
    viewing_is_enough: bool = False
    extra: dict = field(default_factory=dict)


# --- What each case sets up ------------------------------------------------------------------


def _pending_comment() -> dict:
    return {"comment": CommentFactory(name="Ada", status=Comment.Status.PENDING)}


def _started_member() -> dict:
    program_load_demo()
    member = MembershipFactory(user=UserFactory(email="maya@example.com")).user
    ProgramConsentFactory(user=member)  # she agreed to keep her Program data
    program_services.program_start(user=member)
    return {"member": member}


def _paused_member() -> dict:
    state = _started_member()
    program_services.program_pause(
        user=state["member"],
        reason=PauseReason.STAFF,
        by=StaffFactory(email="clinician@example.com"),
        note="Awaiting a scan.",
    )
    return state


def _free_member() -> dict:
    return {"member": UserFactory(email="fran@example.com")}


def _unverified_member() -> dict:
    return {"member": UserFactory(email="unverified@example.com", verified=False)}


def _mailing() -> dict:
    for email in ["sent@example.com", "waiting@example.com", "refused@example.com"]:
        SubscriberFactory(email=email)
    mailing = release_mailing_prepare(episode=EpisodeFactory())
    mailing.deliveries.filter(email="sent@example.com").update(
        status=ReleaseDelivery.Status.SENT, sent_at=timezone.now()
    )
    mailing.deliveries.filter(email="refused@example.com").update(
        status=ReleaseDelivery.Status.FAILED, smtp_code=550, error="550 No such mailbox"
    )
    return {"mailing": mailing}


def _episode(status) -> Callable[[], dict]:
    def setup() -> dict:
        return {
            "episode": EpisodeFactory(
                status=status, publish_at=timezone.now() + dt.timedelta(days=3)
            )
        }

    return setup


def _progress() -> dict:
    state = _started_member()
    state["progress"] = MemberProgress.objects.get(user=state["member"])
    return state


def _paused_progress() -> dict:
    state = _paused_member()
    state["progress"] = MemberProgress.objects.get(user=state["member"])
    return state


def _feed_token() -> dict:
    return {"token": FeedToken.objects.create(user=MembershipFactory().user)}


# --- How each case is done ------------------------------------------------------------------


def _moderate(client, state):
    url = reverse("admin_desk_comment_moderate", args=[state["comment"].pk])
    return client.post(url, {"status": "approved"})


def _reply(client, state):
    url = reverse("admin_desk_comment_reply", args=[state["comment"].pk])
    return client.post(url, {"body": "Thanks, Ada: try the hinge drill."})


def _preview(client, state):
    body = "Public words.\n\n<!-- members-only -->\n\nWords for members."
    return client.post(reverse("admin_desk_episode_preview"), {"body": body})


def _member_action(action: str, data: dict | None = None, method: str = "post"):
    def act(client, state):
        url = reverse("admin_desk_member_action", args=[state["member"].pk, action])
        if method == "get":
            return client.get(url)
        return client.post(url, {"reason": "Seen in clinic.", **(data or {})})

    return act


def _changelist_action(changelist: str, key: str, action: str, **form):
    def act(client, state):
        data = {"action": action, ACTION_CHECKBOX_NAME: [state[key].pk], **form}
        return client.post(reverse(changelist), data)

    return act


def _comment_action(changelist: str, action: str):
    return _changelist_action(changelist, "comment", action)


# --- How each case tells it was done --------------------------------------------------------


def _comment_status_is(status):
    return lambda response, state: Comment.objects.get(pk=state["comment"].pk).status == status


def _reply_posted(response, state):
    return Comment.objects.filter(parent=state["comment"], is_staff_reply=True).exists()


def _preview_rendered(response, state):
    if response.status_code != 200:
        return False
    data = json.loads(response.content)
    return "Public words." in data["public"] and "Words for members." in data["members_only"]


def _status_shown(response, state):
    return response.status_code == 200 and "Background work" in response.content.decode()


def _action_page_shown(response, state):
    return response.status_code == 200 and "Why?" in response.content.decode()


def _unlocked(response, state):
    return Unlock.objects.filter(user=state["member"]).count() > 1


def _paused(response, state):
    return MemberProgress.objects.get(user=state["member"]).is_staff_paused


def _resumed(response, state):
    return not MemberProgress.objects.get(user=state["member"]).is_paused


def _complimentary(response, state):
    return Membership.objects.filter(
        user=state["member"], complimentary_until__isnull=False
    ).exists()


def _verification_sent(response, state):
    return bool(mail.outbox) and LogEntry.objects.filter(object_id=str(state["member"].pk)).exists()


def _test_sent(response, state):
    return any(message.subject.startswith("[Test]") for message in mail.outbox)


def _failed_retried(response, state):
    return not state["mailing"].deliveries.filter(status=ReleaseDelivery.Status.FAILED).exists()


def _waiting_sent(response, state):
    return not state["mailing"].deliveries.filter(status=ReleaseDelivery.Status.PENDING).exists()


def _episode_status_is(status):
    return lambda response, state: Episode.objects.get(pk=state["episode"].pk).status == status


def _release_email_started(response, state):
    return ReleaseMailing.objects.filter(episode=state["episode"]).exists()


def _progress_events(kind):
    return lambda response, state: ProgressEvent.objects.filter(
        user=state["member"], kind=kind, by_staff=True
    ).exists()


def _revoked(response, state):
    return FeedToken.objects.get(pk=state["token"].pk).revoked_at is not None


COMMENTS = "admin:episodes_comment_changelist"
QUEUE = "admin:episodes_pendingcomment_changelist"
MAILINGS = "admin:episodes_releasemailing_changelist"
EPISODES = "admin:episodes_episode_changelist"
PROGRESS = "admin:programs_memberprogress_changelist"
FEEDS = "admin:members_feedtoken_changelist"

CASES = [
    # The desk's own views
    Case(
        "desk: approve a comment",
        ("episodes.change_comment",),
        _pending_comment,
        _moderate,
        _comment_status_is(Comment.Status.APPROVED),
    ),
    Case(
        "desk: reply as staff",
        ("episodes.add_comment", "episodes.change_comment"),
        _pending_comment,
        _reply,
        _reply_posted,
    ),
    Case(
        "desk: episode preview",
        ("episodes.view_episode",),
        dict,
        _preview,
        _preview_rendered,
        allowed_status=200,
        viewing_is_enough=True,
    ),
    Case(
        "status page",
        ("episodes.view_releasemailing",),
        dict,
        lambda client, state: client.get(reverse("admin_status")),
        _status_shown,
        allowed_status=200,
        viewing_is_enough=True,
    ),
    # A member's page: each action asks why (GET), then acts (POST)
    *[
        Case(
            f"member page: the {action} form",
            (need,),
            setup,
            _member_action(action, method="get"),
            _action_page_shown,
            allowed_status=200,
        )
        for action, need, setup in [
            ("unlock", "programs.change_memberprogress", _started_member),
            ("pause", "programs.change_memberprogress", _started_member),
            ("resume", "programs.change_memberprogress", _paused_member),
            ("complimentary", "members.change_membership", _free_member),
            ("verification", "members.change_user", _unverified_member),
        ]
    ],
    Case(
        "member page: unlock",
        ("programs.change_memberprogress",),
        _started_member,
        _member_action("unlock"),
        _unlocked,
    ),
    Case(
        "member page: pause",
        ("programs.change_memberprogress",),
        _started_member,
        _member_action("pause"),
        _paused,
    ),
    Case(
        "member page: resume",
        ("programs.change_memberprogress",),
        _paused_member,
        _member_action("resume"),
        _resumed,
    ),
    Case(
        "member page: complimentary",
        ("members.change_membership",),
        _free_member,
        _member_action("complimentary", {"until": "2099-12-31"}),
        _complimentary,
    ),
    Case(
        "member page: resend verification",
        ("members.change_user",),
        _unverified_member,
        _member_action("verification"),
        _verification_sent,
    ),
    # The Sunday email's actions
    Case(
        "mailings: send a test to me",
        ("episodes.change_releasemailing",),
        _mailing,
        _changelist_action(MAILINGS, "mailing", "send_test_to_me"),
        _test_sent,
    ),
    Case(
        "mailings: retry failed",
        ("episodes.change_releasemailing",),
        _mailing,
        _changelist_action(MAILINGS, "mailing", "retry_failed"),
        _failed_retried,
    ),
    Case(
        "mailings: resume",
        ("episodes.change_releasemailing",),
        _mailing,
        _changelist_action(MAILINGS, "mailing", "resume"),
        _waiting_sent,
    ),
    # Episodes' actions and the "Publish now" page
    Case(
        "episodes: schedule",
        ("episodes.change_episode",),
        _episode(Episode.Status.DRAFT),
        _changelist_action(EPISODES, "episode", "schedule_selected"),
        _episode_status_is(Episode.Status.SCHEDULED),
    ),
    Case(
        "episodes: publish",
        ("episodes.change_episode",),
        _episode(Episode.Status.DRAFT),
        _changelist_action(EPISODES, "episode", "publish_selected", apply="1", email="none"),
        _episode_status_is(Episode.Status.PUBLISHED),
    ),
    Case(
        "episodes: move back to draft",
        ("episodes.change_episode",),
        _episode(Episode.Status.SCHEDULED),
        _changelist_action(EPISODES, "episode", "unpublish_selected"),
        _episode_status_is(Episode.Status.DRAFT),
    ),
    Case(
        "episodes: send the Sunday email",
        ("episodes.change_episode",),
        lambda: {"episode": EpisodeFactory()},
        _changelist_action(EPISODES, "episode", "send_release_email"),
        _release_email_started,
    ),
    Case(
        "episodes: publish now page",
        ("episodes.change_episode",),
        _episode(Episode.Status.DRAFT),
        lambda client, state: client.post(
            reverse("admin:episodes_episode_publish", args=[state["episode"].pk]),
            {"email": "none"},
        ),
        _episode_status_is(Episode.Status.PUBLISHED),
    ),
    # Comments' bulk actions, in the full list and in the moderation queue
    *[
        Case(
            f"{where}: {action}",
            (need,),
            _pending_comment,
            _comment_action(changelist, action),
            _comment_status_is(status),
        )
        for where, changelist, need in [
            ("comments", COMMENTS, "episodes.change_comment"),
            ("moderation queue", QUEUE, "episodes.change_pendingcomment"),
        ]
        for action, status in [
            ("approve_selected", Comment.Status.APPROVED),
            ("mark_spam_selected", Comment.Status.SPAM),
            ("remove_selected", Comment.Status.REMOVED),
        ]
    ],
    # Members' progress, in bulk
    Case(
        "member progress: unlock",
        ("programs.change_memberprogress",),
        _progress,
        _changelist_action(PROGRESS, "progress", "unlock_routine", apply="1", reason="Clinic."),
        _unlocked,
    ),
    Case(
        "member progress: pause",
        ("programs.change_memberprogress",),
        _progress,
        _changelist_action(PROGRESS, "progress", "pause_program", apply="1", reason="Scan."),
        _progress_events("paused"),
    ),
    Case(
        "member progress: resume",
        ("programs.change_memberprogress",),
        _paused_progress,
        _changelist_action(PROGRESS, "progress", "resume_program", apply="1", reason="Clear."),
        _resumed,
    ),
    Case(
        "private feeds: revoke",
        ("members.change_feedtoken",),
        _feed_token,
        _changelist_action(FEEDS, "token", "revoke_selected"),
        _revoked,
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_admin_action_takes_the_permission_its_admin_page_needs(
    case, persona, django_capture_on_commit_callbacks
):
    state = case.setup()
    client = signed_in(staff_member(persona, case.needs))

    with django_capture_on_commit_callbacks(execute=True):
        response = case.act(client, state)

    allowed = persona in {"exactly_needed", "superuser"} or (
        persona == "view_only" and case.viewing_is_enough
    )
    if allowed:
        assert response.status_code == case.allowed_status
        assert case.done(response, state)
    else:
        assert response.status_code == 403
        assert not case.done(response, state)


# --- What the desk and a member's page show ---------------------------------------------------


def _desk_page(user) -> str:
    response = signed_in(user).get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


def test_staff_with_no_permissions_get_a_calm_desk_that_says_so():
    CommentFactory(status=Comment.Status.PENDING, body="A WAITING COMMENT")

    page = _desk_page(staff_member("no_permissions"))

    assert "Your account has no permissions yet" in page
    assert "A WAITING COMMENT" not in page
    assert "Comments waiting" not in page
    assert "Last Sunday email" not in page


def test_view_only_staff_see_the_desk_without_its_buttons():
    comment = CommentFactory(status=Comment.Status.PENDING, body="A WAITING COMMENT")
    MembershipFactory(user=UserFactory(email="new@example.com"))

    page = _desk_page(staff_member("view_only"))

    assert "A WAITING COMMENT" in page
    assert "new@example.com" in page
    assert "Last Sunday email" in page
    assert "no permissions yet" not in page
    assert reverse("admin_desk_comment_moderate", args=[comment.pk]) not in page
    assert reverse("admin:episodes_episode_add") not in page


def test_moderators_get_the_desks_buttons():
    comment = CommentFactory(status=Comment.Status.PENDING)

    page = _desk_page(staff_member("exactly_needed", ("episodes.change_comment",)))

    assert reverse("admin_desk_comment_moderate", args=[comment.pk]) in page


def test_a_desk_section_shows_only_with_the_view_permission_of_what_it_lists():
    CommentFactory(status=Comment.Status.PENDING, body="A WAITING COMMENT")
    MembershipFactory(user=UserFactory(email="new@example.com"))

    page = _desk_page(staff_member("exactly_needed", ("episodes.view_releasemailing",)))

    assert "Last Sunday email" in page
    assert "A WAITING COMMENT" not in page
    assert "new@example.com" not in page


def _member_page(user, member) -> str:
    response = signed_in(user).get(reverse("admin:members_user_change", args=[member.pk]))
    assert response.status_code == 200
    return response.content.decode()


ACTION_LINK = re.compile(r'href="(/admin/desk/members/\d+/[a-z]+/)"')


def test_view_only_staff_see_a_members_page_without_action_buttons():
    member = _started_member()["member"]
    UserFactory(email="unverified@example.com", verified=False)

    page = _member_page(staff_member("view_only"), member)

    assert "Back In Shape Program" in page
    assert "Membership" in page
    assert ACTION_LINK.findall(page) == []


@pytest.mark.parametrize(
    ("needs", "actions"),
    [
        (("members.view_user", "programs.change_memberprogress"), {"unlock", "pause"}),
        (("members.view_user", "members.change_membership"), {"complimentary"}),
        (("members.change_user",), {"verification"}),
    ],
)
def test_a_members_page_offers_exactly_the_actions_its_viewer_may_use(needs, actions):
    member = _started_member()["member"]
    member.emailaddress_set.update(verified=False)
    user = staff_member("exactly_needed", needs)

    page = _member_page(user, member)

    links = ACTION_LINK.findall(page)
    assert {link.rstrip("/").rsplit("/", 1)[1] for link in links} == actions
    client = signed_in(user)
    for link in links:  # and each one opens
        assert client.get(link).status_code == 200


def test_every_button_on_the_desk_is_one_its_viewer_may_use():
    CommentFactory(status=Comment.Status.PENDING)
    for persona, needs in [
        ("view_only", ()),
        ("exactly_needed", ("episodes.view_comment",)),
        ("exactly_needed", ("episodes.change_comment",)),
    ]:
        User.objects.filter(email="desk.staff@example.com").delete()
        user = staff_member(persona, needs)
        page = _desk_page(user)
        client = signed_in(user)
        for action in re.findall(r'<form method="post" action="([^"]+)"', page):
            # A button that says nothing changes nothing, but still meets the permission check.
            assert client.post(action, {"status": "none"}).status_code == 302, (persona, needs)


def test_staff_without_the_permission_never_see_the_reply_form():
    comment = CommentFactory(status=Comment.Status.PENDING)
    url = reverse("admin:episodes_comment_change", args=[comment.pk])
    reply = reverse("admin_desk_comment_reply", args=[comment.pk])
    moderate = reverse("admin_desk_comment_moderate", args=[comment.pk])

    view_only = signed_in(staff_member("view_only")).get(url).content.decode()
    User.objects.filter(email="desk.staff@example.com").delete()
    moderator = signed_in(staff_member("exactly_needed", ("episodes.change_comment",)))
    moderator_page = moderator.get(url).content.decode()

    assert reply not in view_only
    assert moderate not in view_only
    assert moderate in moderator_page
    assert reply not in moderator_page


def test_the_comment_list_shows_moderation_buttons_only_to_moderators():
    comment = CommentFactory(status=Comment.Status.PENDING)
    moderate = reverse("admin_desk_comment_moderate", args=[comment.pk])

    response = signed_in(staff_member("view_only")).get(reverse(COMMENTS))

    assert response.status_code == 200
    assert moderate not in response.content.decode()


def test_publish_now_is_offered_only_to_staff_who_may_change_episodes():
    episode = EpisodeFactory(status=Episode.Status.DRAFT)
    url = reverse("admin:episodes_episode_change", args=[episode.pk])
    publish = reverse("admin:episodes_episode_publish", args=[episode.pk])

    view_only = signed_in(staff_member("view_only")).get(url)
    User.objects.filter(email="desk.staff@example.com").delete()
    editor = signed_in(staff_member("exactly_needed", ("episodes.change_episode",))).get(url)

    assert view_only.status_code == 200
    assert publish not in view_only.content.decode()
    assert publish in editor.content.decode()


def test_the_podcast_show_page_is_refused_to_staff_who_may_not_view_it():
    PodcastShow.objects.all().delete()

    response = signed_in(staff_member("no_permissions")).get(
        reverse("admin:episodes_podcastshow_changelist")
    )

    assert response.status_code == 403
    assert not PodcastShow.objects.exists()


def test_staff_who_may_change_users_cannot_grant_permissions():
    user = staff_member("exactly_needed", ("members.view_user", "members.change_user"))
    member = UserFactory(email="member@example.com")
    url = reverse("admin:members_user_change", args=[member.pk])
    client = signed_in(user)
    form = client.get(url).context["adminform"].form

    assert not {"is_staff", "is_superuser", "groups", "user_permissions"} & set(form.fields)
    client.post(
        url,
        {
            "email": member.email,
            "display_name": "Member",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "membership-TOTAL_FORMS": "0",
            "membership-INITIAL_FORMS": "0",
        },
    )
    member.refresh_from_db()
    assert not member.is_staff
    assert not member.is_superuser


def test_staff_who_may_change_users_cannot_change_a_superuser():
    user = staff_member("exactly_needed", ("members.view_user", "members.change_user"))
    owner = StaffFactory(email="owner@example.com")
    client = signed_in(user)

    page = client.get(reverse("admin:members_user_change", args=[owner.pk]))
    password = client.post(
        reverse("admin:auth_user_password_change", args=[owner.pk]),
        {"password1": "a-new-password-9", "password2": "a-new-password-9"},
    )

    assert page.status_code == 200
    assert set(page.context["adminform"].form.fields) <= {"password"}  # a read-only hash
    assert password.status_code == 403
    owner.refresh_from_db()
    assert not owner.check_password("a-new-password-9")
