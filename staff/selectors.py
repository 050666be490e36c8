"""Reads more than one staff page makes."""

from episodes.models import Comment, ReleaseMailing


def comments_pending_count() -> int:
    return Comment.objects.filter(status=Comment.Status.PENDING).count()


def release_mailing_latest() -> ReleaseMailing | None:
    """The last Sunday run, counted the way the release-mailing admin counts it
    (`sent_count`, `pending_count`, `failed_count`, `total_count`)."""
    return (
        ReleaseMailing.objects.select_related("episode")
        .with_progress()
        .order_by("-created_at", "-pk")
        .first()
    )
