"""Store every episode body the way it is written from now on: "\n" line endings and the
members-only divider spelt exactly `<!-- members-only -->`.

Bodies saved from the admin before this carried the browser's CRLF line endings, which
hid the divider from the cut. The rules are copied here, not imported, so this migration
keeps doing what it did even if episodes.rendering changes later.
"""

import re

from django.db import migrations

DIVIDER_TEXT = "<!-- members-only -->"
DIVIDER = re.compile(
    r"^[^\S\n]*<!--[^\S\n]*members[- ]only[^\S\n]*-->[^\S\n]*$", re.MULTILINE | re.IGNORECASE
)


def normalise(body: str) -> str:
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    return DIVIDER.sub(DIVIDER_TEXT, body)


def normalise_stored_bodies(apps, schema_editor):
    """Rewrite only the bodies that change; updated_at stays, as the text readers see
    does not change (the rendered-article cache is keyed on a render version instead)."""
    Episode = apps.get_model("episodes", "Episode")
    for pk, body in Episode.objects.values_list("pk", "body").iterator():
        normalised = normalise(body)
        if normalised != body:
            Episode.objects.filter(pk=pk).update(body=normalised)


class Migration(migrations.Migration):
    dependencies = [
        ("episodes", "0003_release_mailing"),
    ]

    operations = [
        migrations.RunPython(normalise_stored_bodies, migrations.RunPython.noop),
    ]
