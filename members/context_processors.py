from django.utils.functional import SimpleLazyObject

from .services import policy_notices_show


def policy_notices(request):
    """Material changes to the privacy notice or terms a signed-in member hasn't seen yet
    (members/services/policy_notices.py). Lazy, the signed-in check included: worked out only
    where base.html shows them, so a response that never shows them (robots.txt,
    security.txt) never reads the session and stays public; and free unless the member's
    flag is up."""

    def due():
        user = getattr(request, "user", None)
        if user is None or not getattr(user, "policy_notice_due", False):
            return ()
        return policy_notices_show(user=user)

    return {"policy_notices": SimpleLazyObject(due)}
