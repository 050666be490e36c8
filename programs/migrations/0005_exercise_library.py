import django.db.models.deletion
from django.db import migrations, models
from django.utils.text import slugify


def fill_slugs(apps, schema_editor):
    Exercise = apps.get_model("programs", "Exercise")
    taken = set()
    for exercise in Exercise.objects.order_by("pk"):
        base = slugify(exercise.name) or f"exercise-{exercise.pk}"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        exercise.slug = slug
        exercise.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [("programs", "0004_reorder_positions_in_one_save")]

    operations = [
        migrations.RenameField("exercise", "how_to", "instructions"),
        migrations.AlterField(
            model_name="exercise",
            name="instructions",
            field=models.TextField(
                blank=True,
                help_text="One step a line. Premium members only.",
                verbose_name="step-by-step instructions",
            ),
        ),
        migrations.AddField(
            model_name="exercise",
            name="slug",
            field=models.SlugField(max_length=120, default="", db_index=False),
            preserve_default=False,
        ),
        migrations.RunPython(fill_slugs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="exercise",
            name="slug",
            field=models.SlugField(max_length=120, unique=True),
        ),
        migrations.AddField(
            model_name="exercise",
            name="purpose",
            field=models.CharField(
                blank=True,
                help_text="Public: what the exercise is for, in a sentence.",
                max_length=300,
            ),
        ),
        migrations.AddField(
            model_name="exercise",
            name="cues",
            field=models.TextField(
                blank=True,
                help_text="One cue a line. Premium members only.",
                verbose_name="coaching cues",
            ),
        ),
        migrations.AddField(
            model_name="exercise",
            name="mistakes",
            field=models.TextField(
                blank=True,
                help_text="One a line. Premium members only.",
                verbose_name="common mistakes",
            ),
        ),
        migrations.AddField(
            model_name="exercise",
            name="easier",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="programs.exercise",
                verbose_name="easier variant",
            ),
        ),
        migrations.AddField(
            model_name="exercise",
            name="harder",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="programs.exercise",
                verbose_name="harder variant",
            ),
        ),
        migrations.AddField(
            model_name="exercise",
            name="video_url",
            field=models.URLField(
                blank=True,
                help_text="A YouTube link. It shows as a poster until the member clicks play.",
            ),
        ),
        migrations.AddField(
            model_name="exercise",
            name="image",
            field=models.ImageField(blank=True, upload_to="exercises/"),
        ),
        migrations.AddField(
            model_name="exercise",
            name="image_alt",
            field=models.CharField(
                blank=True,
                help_text="What the image shows, for people who can't see it. Needed with an image.",
                max_length=200,
                verbose_name="image description (alt text)",
            ),
        ),
        migrations.AddConstraint(
            model_name="exercise",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("image", ""), models.Q(("image_alt", ""), _negated=True), _connector="OR"
                ),
                name="programs_exercise_image_has_alt",
                violation_error_message="Describe the image (alt text) when you add one.",
            ),
        ),
        migrations.AddField(
            model_name="routinestep",
            name="rest_seconds",
            field=models.PositiveSmallIntegerField(
                default=0, help_text="Rest between sets.", verbose_name="rest (seconds)"
            ),
        ),
        migrations.AddField(
            model_name="routinestep",
            name="side",
            field=models.CharField(
                blank=True,
                choices=[
                    ("both", "both sides together"),
                    ("each", "each side"),
                    ("left", "left side"),
                    ("right", "right side"),
                ],
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="routinestep",
            name="seconds",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="hold (seconds)"
            ),
        ),
        migrations.AlterField(
            model_name="routinestep",
            name="notes",
            field=models.CharField(
                blank=True, help_text="e.g. “a bag across the hips”.", max_length=200
            ),
        ),
    ]
