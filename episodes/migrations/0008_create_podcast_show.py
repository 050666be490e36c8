"""Create the one PodcastShow row, keeping the show's current podcast:guid.

The GUID is derived once, here, the way the feed derived it before (from SITE_URL and the
feed's path), and stored: from now on the feed reads it from the row.
"""

from django.conf import settings
from django.db import migrations

from episodes.podcast import podcast_guid_for_feed_url


def create_show(apps, schema_editor):
    PodcastShow = apps.get_model("episodes", "PodcastShow")
    if PodcastShow.objects.exists():
        return
    feed_url = f"{settings.SITE_URL}/feeds/podcast.xml"
    PodcastShow.objects.create(singleton=True, podcast_guid=podcast_guid_for_feed_url(feed_url))


class Migration(migrations.Migration):
    dependencies = [("episodes", "0007_podcast_show_and_episode_podcast_files")]

    operations = [migrations.RunPython(create_show, migrations.RunPython.noop)]
