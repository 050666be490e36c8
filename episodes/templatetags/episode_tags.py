import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from episodes.feeds import absolute_url
from episodes.rendering import render_comment, render_comment_list

register = template.Library()

# The same escapes as django.utils.html.json_script.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def comment_html(text: str):
    return render_comment(text)


@register.simple_tag(takes_context=True)
def comment_list(context, threads):
    """The nested list of the threads, cached comment by comment."""
    return render_comment_list(threads, is_preview=bool(context.get("is_preview")))


@register.filter
def absolute(url: str) -> str:
    """`url` on the public site (SITE_URL); a URL that is absolute already (a file in
    object storage) stays as it is."""
    return absolute_url(url)


@register.filter
def duration(seconds) -> str:
    """1 h 2 min, 42 min or 46 sec, for an episode's length in seconds."""
    if not seconds:
        return ""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if not minutes:  # a short bonus or trailer, not "0 min"
        return f"{secs} sec"
    return f"{minutes} min"


@register.simple_tag
def json_ld(data) -> str:
    """`data` as a JSON-LD block. <, > and & are escaped as in Django's json_script, so a
    title containing `</script>` cannot end the block early. Not executed by browsers, so
    the Content Security Policy has nothing to allow."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(
        JSON_SCRIPT_ESCAPES
    )
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))
