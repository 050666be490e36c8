"""A member's page in the admin leads with what staff need, and its buttons ask why and
record what they did."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from members.models import Membership
from programs.demo import program_load_demo, program_load_demo_member
from programs.models import MemberProgress, PauseReason, ProgressEvent, Unlock
from tests.factories import CommentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def started_member(db):
    program_load_demo()
    member = MembershipFactory(
        user=UserFactory(email="maya@example.com"), stripe_customer_id="cus_maya"
    ).user
    program_load_demo_member(user=member)
    return member


def _page(staff_client, user):
    response = staff_client.get(reverse("admin:members_user_change", args=[user.pk]))
    assert response.status_code == 200
    return response


def test_member_page_leads_with_membership_program_comments_and_email(staff_client, started_member):
    CommentFactory(user=started_member, body="Thanks for the hinge drill.")

    response = _page(staff_client, started_member)

    content = response.content.decode()
    summary_at = content.index('class="member-summary"')
    assert summary_at < content.index('name="email"')  # before the form's first field
    assert response.context["premium_now"] is True
    assert "Premium now" in content
    assert "dashboard.stripe.com" in content
    assert "cus_maya" in content
    assert "Learning the hinge" in content  # the routine they are on
    assert len(response.context["recent_sessions"]) == 5
    assert 'class="pain-chart"' in content
    assert response.context["comment_count"] == 1
    assert "Thanks for the hinge drill." in content
    assert "Sunday email: on" in content


def test_password_and_permissions_are_folded_away_at_the_bottom(staff_client, free_member):
    content = _page(staff_client, free_member).content.decode()

    folded = content.index("Password and permissions")
    assert content.index('name="display_name"') < folded
    assert content.index('name="is_superuser"') > folded
    fieldset = content[
        content.rindex("<fieldset ", 0, folded) : content.index("</fieldset>", folded)
    ]
    assert fieldset.startswith('<fieldset class="module aligned collapse" ')
    summary = fieldset[fieldset.index("<details><summary>") : fieldset.index("</summary>")]
    assert "Password and permissions" in summary
    assert 'name="is_superuser"' in fieldset[fieldset.index("</summary>") :]


def test_member_page_for_someone_who_never_started(staff_client, free_member):
    content = _page(staff_client, free_member).content.decode()

    assert "Never joined premium." in content
    assert "Not started yet." in content


def test_each_action_first_asks_why(staff_client, started_member):
    for action in ["unlock", "pause", "resume", "complimentary", "verification"]:
        url = reverse("admin_desk_member_action", args=[started_member.pk, action])
        response = staff_client.get(url)
        assert response.status_code == 200, action
        assert 'name="reason"' in response.content.decode(), action
    assert not ProgressEvent.objects.filter(by_staff=True).exists()


def test_pause_from_the_member_page_is_recorded(staff_client, staff, started_member):
    url = reverse("admin_desk_member_action", args=[started_member.pk, "pause"])

    response = staff_client.post(url, {"reason": "Asked us to hold it over surgery"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "admin:members_user_change", args=[started_member.pk]
    )
    progress = MemberProgress.objects.get(user=started_member)
    assert progress.is_staff_paused
    event = ProgressEvent.objects.filter(user=started_member).latest("pk")
    assert event.kind == ProgressEvent.Kind.PAUSED
    assert event.by == staff
    assert "Asked us to hold it over surgery" in event.reason
    assert "Paused the Program" in response.content.decode()


def test_resume_from_the_member_page_is_recorded(staff_client, staff, started_member):
    MemberProgress.objects.filter(user=started_member).update(
        paused_at=timezone.now(), pause_reason=PauseReason.RED_FLAG
    )
    url = reverse("admin_desk_member_action", args=[started_member.pk, "resume"])

    staff_client.post(url, {"reason": "GP gave the all-clear on the phone"})

    assert not MemberProgress.objects.get(user=started_member).is_paused
    event = ProgressEvent.objects.filter(user=started_member).latest("pk")
    assert event.kind == ProgressEvent.Kind.RESUMED
    assert event.by == staff


def test_unlock_from_the_member_page_opens_the_next_routine(staff_client, staff, started_member):
    before = set(Unlock.objects.filter(user=started_member).values_list("routine_id", flat=True))
    url = reverse("admin_desk_member_action", args=[started_member.pk, "unlock"])

    response = staff_client.post(url, {"reason": "Physio says ready"}, follow=True)

    new = Unlock.objects.filter(user=started_member).exclude(routine_id__in=before)
    assert new.count() == 1
    assert new.get().by == staff
    assert new.get().reason == "Physio says ready"
    assert "Unlocked" in response.content.decode()


def test_an_action_without_a_reason_changes_nothing(staff_client, started_member):
    url = reverse("admin_desk_member_action", args=[started_member.pk, "pause"])

    response = staff_client.post(url, {"reason": ""})

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not MemberProgress.objects.get(user=started_member).is_staff_paused


def test_complimentary_membership_is_given_and_logged(staff_client, staff, free_member):
    until = timezone.localdate() + dt.timedelta(days=90)
    url = reverse("admin_desk_member_action", args=[free_member.pk, "complimentary"])

    response = staff_client.post(
        url, {"reason": "Podcast guest", "until": until.isoformat()}, follow=True
    )

    assert Membership.objects.get(user=free_member).complimentary_until == until
    entry = LogEntry.objects.get(object_id=str(free_member.pk))
    assert entry.user == staff
    assert "Podcast guest" in entry.get_change_message()
    assert "Complimentary premium until" in response.content.decode()


def test_resend_verification_sends_a_link_and_logs_it(staff_client, staff, mailoutbox):
    member = UserFactory(email="unverified@example.com", verified=False)
    url = reverse("admin_desk_member_action", args=[member.pk, "verification"])

    response = staff_client.post(url, {"reason": "Says the first email never came"}, follow=True)

    assert [m.to for m in mailoutbox] == [["unverified@example.com"]]
    assert LogEntry.objects.filter(object_id=str(member.pk), user=staff).count() == 1
    assert "Sent a new verification link" in response.content.decode()


def test_resend_verification_to_a_verified_address_sends_nothing(
    staff_client, free_member, mailoutbox
):
    assert EmailAddress.objects.get(user=free_member).verified
    url = reverse("admin_desk_member_action", args=[free_member.pk, "verification"])

    response = staff_client.post(url, {"reason": "Just in case"}, follow=True)

    assert mailoutbox == []
    assert not LogEntry.objects.filter(object_id=str(free_member.pk)).exists()
    assert "verified already" in response.content.decode()


def test_member_actions_are_for_staff_only(client, free_member, premium_member):
    client.force_login(free_member)
    url = reverse("admin_desk_member_action", args=[premium_member.pk, "pause"])

    response = client.post(url, {"reason": "no"})

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={url}"
    assert not ProgressEvent.objects.exists()


def test_an_unknown_member_action_is_not_found(staff_client, free_member):
    url = reverse("admin_desk_member_action", args=[free_member.pk, "delete"])

    assert staff_client.post(url, {"reason": "x"}).status_code == 404


# A NUL character (U+0000) cannot be stored in PostgreSQL text: run these there too.

NUL_MESSAGE = "It has an invisible null character, which cannot be saved"


@pytest.mark.parametrize("action", ["unlock", "pause", "complimentary", "verification"])
def test_a_nul_in_the_reason_comes_back_with_a_message_and_changes_nothing(
    staff_client, started_member, action, mailoutbox
):
    started_member.emailaddress_set.update(verified=False)
    url = reverse("admin_desk_member_action", args=[started_member.pk, action])
    events_before = ProgressEvent.objects.count()

    response = staff_client.post(url, {"reason": "Seen\x00 in clinic.", "until": "2099-01-01"})

    assert response.status_code == 200
    assert NUL_MESSAGE in response.content.decode()
    assert "Seen" in response.content.decode()  # what was typed is kept
    assert ProgressEvent.objects.count() == events_before
    assert not MemberProgress.objects.get(user=started_member).is_staff_paused
    assert Membership.objects.get(user=started_member).complimentary_until is None
    assert not LogEntry.objects.exists()
    assert mailoutbox == []


def test_a_nul_in_the_complimentary_date_comes_back_with_a_message(staff_client, free_member):
    url = reverse("admin_desk_member_action", args=[free_member.pk, "complimentary"])

    response = staff_client.post(url, {"reason": "Podcast guest", "until": "2099-01-01\x00"})

    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    assert not Membership.objects.filter(user=free_member).exists()


def test_a_nul_in_the_routine_to_unlock_comes_back_with_a_message(staff_client, started_member):
    url = reverse("admin_desk_member_action", args=[started_member.pk, "unlock"])
    unlocks_before = Unlock.objects.count()

    response = staff_client.post(url, {"reason": "Clinic", "routine": "1\x00"})

    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert Unlock.objects.count() == unlocks_before
