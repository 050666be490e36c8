"""The cookies this site sets, for the privacy notice's cookie statement.

Written from the settings that decide them, so the statement says what the code does. No
other cookie is set: no analytics, no advertising, nothing from another site. A test
(tests/pages/test_cookies.py) walks the site's own workflows and fails on any cookie not
listed here. PECR (reg. 6) lets a site set cookies "strictly necessary" for a service the
visitor asked for without asking first; each one here is.
"""

from dataclasses import dataclass

from django.conf import settings

# django.contrib.messages' CookieStorage.cookie_name (the default storage tries it first).
MESSAGES_COOKIE = "messages"


@dataclass(frozen=True)
class SiteCookie:
    name: str
    purpose: str
    lifetime: str


def _days(seconds: int) -> str:
    days = round(seconds / 86400)
    if days >= 364:  # Django's CSRF cookie lasts 52 weeks
        return "one year" if days < 700 else f"{round(days / 365)} years"
    if days % 7 == 0:
        weeks = days // 7
        return "one week" if weeks == 1 else f"{weeks} weeks"
    return "one day" if days == 1 else f"{days} days"


def site_cookies() -> list[SiteCookie]:
    return [
        SiteCookie(
            name=settings.SESSION_COOKIE_NAME,
            purpose=(
                "Keeps you signed in. If you post a comment without an account, it lets you "
                "see your comment while it waits for approval."
            ),
            lifetime=(
                "Until you close your browser, or "
                f"{_days(settings.SESSION_COOKIE_AGE)} if you tick “Remember me”"
            ),
        ),
        SiteCookie(
            name=settings.CSRF_COOKIE_NAME,
            purpose=(
                "Stops another website sending a form to this one in your name "
                "(cross-site request forgery protection)."
            ),
            lifetime=_days(settings.CSRF_COOKIE_AGE),
        ),
        SiteCookie(
            name=MESSAGES_COOKIE,
            purpose="Carries a one-off message, such as “Saved”, to the next page you see.",
            lifetime="Until the message is shown, at most until you close your browser",
        ),
    ]
