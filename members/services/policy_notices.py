"""Telling members once that the privacy notice or terms changed materially.

Staff tick "material change" when saving either page (pages.services.page_save), which
calls policy_notice_flag: everyone who joined before the change is flagged on their User
row. A signed-in page reads that flag from the user it has already loaded, so the
notice costs no query at all until there is something to show; then the notice is taken
(pages records it as seen) and the flag cleared.
"""

from members.models import User
from pages import services as page_services
from pages.models import PageVersion
from pages.selectors import PolicyNotice


def policy_notice_flag(version: PageVersion) -> int:
    """Flag every member who joined before this material change; returns how many.

    Those who join later agreed to the page as it reads now. One UPDATE, in the page's
    save transaction.
    """
    return User.objects.filter(date_joined__lt=version.saved_at, is_active=True).update(
        policy_notice_due=True
    )


def policy_notices_show(*, user: User) -> list[PolicyNotice]:
    """The notices to show this member now (each once), clearing their flag."""
    if not getattr(user, "policy_notice_due", False):
        return []
    notices = page_services.policy_notices_take(user=user)
    User.objects.filter(pk=user.pk).update(policy_notice_due=False)
    user.policy_notice_due = False
    return notices
