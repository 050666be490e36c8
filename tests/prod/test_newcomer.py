"""A newcomer through nginx: reads an episode, signs up, follows the emailed link, comments."""

import secrets
from urllib.parse import urljoin

import pytest

from tests.prod.browsing import filled, form_posting_to, form_with, link_in, mail_text_to
from tests.prod.shape import PASSWORD, wait_until

pytestmark = pytest.mark.prod

MEMBER_EMAIL = "new.member@example.com"


@pytest.fixture(scope="module")
def signed_up(shape, newcomer):
    """The page the sign-up form leads to."""
    page = newcomer.get(f"{shape.base}/accounts/signup/", timeout=10)
    return newcomer.post(
        f"{shape.base}/accounts/signup/",
        data=filled(
            form_with(page.text, "password1"),
            email=MEMBER_EMAIL,
            display_name="Newcomer",
            password1=PASSWORD,
            password2=PASSWORD,
        ),
        headers={"Referer": f"{shape.base}/accounts/signup/"},
        timeout=20,
    )


@pytest.fixture(scope="module")
def verification_link(shape, signed_up) -> str | None:
    """The link in the verification email, once it arrives (within 20 s)."""
    return wait_until(
        lambda: link_in(mail_text_to(shape.sink, MEMBER_EMAIL), "/accounts/confirm-email/"),
        timeout=20,
    )


@pytest.fixture(scope="module")
def verified(shape, newcomer, verification_link):
    """The answer to confirming the email, and the account page after it."""
    if not verification_link:
        pytest.fail("no verification email with a link arrived")
    page = newcomer.get(verification_link, timeout=10)
    form = form_posting_to(page.text, "confirm-email")
    done = newcomer.post(
        urljoin(verification_link, form["action"] or verification_link),
        data=form["fields"],
        headers={"Referer": verification_link},
        timeout=10,
    )
    return done, newcomer.get(f"{shape.base}/account/", timeout=10)


def test_read_an_episode(shape, reader, episode_slug):
    article = reader.get(f"{shape.base}/episodes/{episode_slug}/", timeout=10)

    assert episode_slug, "no episode linked from /"
    assert article.status_code == 200


def test_sign_up(signed_up):
    assert signed_up.status_code == 200
    assert "/accounts/confirm-email/" in signed_up.url


def test_verification_email_arrives_with_a_link_to_this_site(shape, verification_link):
    assert verification_link
    assert verification_link.startswith(shape.base + "/")


def test_verify_the_email_and_land_signed_in(verified):
    done, account = verified

    assert done.status_code == 200
    assert account.status_code == 200
    assert "/accounts/login" not in account.url


def test_a_signed_in_page_is_private(verified):
    _, account = verified

    assert account.headers.get("Cache-Control", "").startswith("private")


def test_comment_live_at_once(shape, newcomer, verified, episode_slug):
    """A verified email posts at once."""
    episode = f"{shape.base}/episodes/{episode_slug}/"
    page = newcomer.get(episode, timeout=10)
    body = f"Tried the morning routine, thank you. ({secrets.token_hex(3)})"

    posted = newcomer.post(
        f"{episode}comments/",
        data=filled(form_with(page.text, "body"), body=body),
        headers={"Referer": episode, "Origin": shape.base},
        timeout=10,
    )

    assert posted.status_code == 200
    assert body in posted.text
