from django.shortcuts import render
from django.views.decorators.http import require_GET

from members.selectors import member_has_premium


@require_GET
def overview(request):
    return render(
        request, "programs/overview.html", {"has_premium": member_has_premium(request.user)}
    )
