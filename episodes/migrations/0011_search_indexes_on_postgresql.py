"""PostgreSQL only: pg_trgm, GIN indexes for the search vectors and title trigrams, and
the vectors of every existing episode. On SQLite every step does nothing, so development
databases migrate as before; the indexes are not in the model's Meta for the same reason.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    "CREATE INDEX IF NOT EXISTS episodes_episode_search_gin "
    "ON episodes_episode USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS episodes_episode_search_full_gin "
    "ON episodes_episode USING gin (search_vector_full)",
    "CREATE INDEX IF NOT EXISTS episodes_episode_title_trgm "
    "ON episodes_episode USING gin (title gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS episodes_episode_search_gin",
    "DROP INDEX IF EXISTS episodes_episode_search_full_gin",
    "DROP INDEX IF EXISTS episodes_episode_title_trgm",
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in INDEXES:
        schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in DROP:
        schema_editor.execute(sql)


def fill_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from episodes.search import search_vectors_update

    Episode = apps.get_model("episodes", "Episode")
    for pk in Episode.objects.values_list("pk", flat=True):
        search_vectors_update(Episode, pk)


class Migration(migrations.Migration):
    dependencies = [("episodes", "0010_episode_search_vectors")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
        migrations.RunPython(fill_vectors, migrations.RunPython.noop),
    ]
