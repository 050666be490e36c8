"""The "comments" section of a member's data download (registered in apps.py)."""

from .models import Comment


def comments_export_section(user) -> list[dict]:
    """Every comment the member wrote while signed in, held or published, oldest first."""
    comments = Comment.objects.filter(user=user).select_related("episode").order_by("created_at")
    return [
        {
            "episode": comment.episode.title,
            "body": comment.body,
            "status": comment.get_status_display(),
            "date": comment.created_at.isoformat(),
            "reply_to_another_comment": comment.parent_id is not None,
        }
        for comment in comments
    ]
