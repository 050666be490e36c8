from django.utils.functional import SimpleLazyObject

from .services import policy_notices_show


def policy_notices(request):
    """Material changes to the privacy notice or terms a signed-in member hasn't seen yet
    (members/services/policy_notices.py). Lazy: worked out only where base.html shows
    them, and free unless the member's flag is up."""
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "policy_notice_due", False):
        return {"policy_notices": ()}
    return {"policy_notices": SimpleLazyObject(lambda: policy_notices_show(user=user))}
