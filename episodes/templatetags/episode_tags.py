from django import template

from ..rendering import render_comment

register = template.Library()


@register.filter
def comment_html(text: str):
    return render_comment(text)


@register.filter
def duration(seconds) -> str:
    """1:02:03 or 42 min, for an episode's length in seconds."""
    if not seconds:
        return ""
    minutes, _secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"
