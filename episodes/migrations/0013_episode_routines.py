from django.db import migrations, models

# Routines and episodes were first linked from the programs side, in this table (made by
# programs 0006, which no longer makes it). A database that ran it keeps its links: they
# move to Episode.routines and the old table goes. A database made since has no old table
# and nothing to move. Going back before this migration drops the links.
OLD_TABLE = "programs_routine_episodes"


def links_move_from_programs(apps, schema_editor):
    if OLD_TABLE not in schema_editor.connection.introspection.table_names():
        return
    link = apps.get_model("episodes", "Episode")._meta.get_field("routines").remote_field.through
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"INSERT INTO {quote(link._meta.db_table)} "
        f"({quote(link._meta.get_field('episode').column)}, "
        f"{quote(link._meta.get_field('routine').column)}) "
        f"SELECT episode_id, routine_id FROM {quote(OLD_TABLE)} ORDER BY id"
    )
    schema_editor.execute(f"DROP TABLE {quote(OLD_TABLE)}")


class Migration(migrations.Migration):

    dependencies = [
        ('episodes', '0012_episode_release_email_at'),
        ('programs', '0006_routine_episodes'),
    ]

    operations = [
        migrations.AddField(
            model_name='episode',
            name='routines',
            field=models.ManyToManyField(blank=True, help_text='Routines that put this episode into practice. Their pages link back here.', related_name='episodes', to='programs.routine'),
        ),
        migrations.RunPython(links_move_from_programs, migrations.RunPython.noop),
    ]
