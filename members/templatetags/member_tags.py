"""Template access to the one premium rule, for the header (signed-in pages only: never cached)."""

from django import template

from members.selectors import member_has_premium

register = template.Library()


@register.filter
def has_premium(user) -> bool:
    return member_has_premium(user)
