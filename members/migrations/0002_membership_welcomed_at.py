from django.db import migrations, models
from django.db.models import F

# Members who already had a subscription before welcome emails existed must not get one
# on their next renewal.
_EVER_SUBSCRIBED = ["active", "trialing", "past_due", "canceled", "unpaid", "paused"]


def mark_existing_members_welcomed(apps, schema_editor):
    Membership = apps.get_model("members", "Membership")
    Membership.objects.filter(status__in=_EVER_SUBSCRIBED, welcomed_at__isnull=True).update(
        welcomed_at=F("created_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="welcomed_at",
            field=models.DateTimeField(
                blank=True, help_text="When the welcome email went out (sent once).", null=True
            ),
        ),
        migrations.RunPython(mark_existing_members_welcomed, migrations.RunPython.noop),
    ]
