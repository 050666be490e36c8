"""Who may act on episodes, comments and the Sunday email from the admin.

Django's model permissions, one rule per button, shared by the admin pages and the staff
desk (staff/desk.py, staff/member_page.py): a button shows exactly when its view accepts
it, and a view refuses what its button would not offer. A superuser passes every rule
(has_perm).
"""


def can_view_comments(user) -> bool:
    """Read comments: the full list or the moderation queue (a proxy with its own rights)."""
    return any(
        user.has_perm(f"episodes.{verb}_{model}")
        for model in ("comment", "pendingcomment")
        for verb in ("view", "change")
    )


def can_moderate_comments(user) -> bool:
    """Approve, mark as spam or remove: what changing a comment, or the queue, takes."""
    return user.has_perm("episodes.change_comment") or user.has_perm(
        "episodes.change_pendingcomment"
    )


def can_reply_to_comments(user) -> bool:
    """A staff reply is a new comment that skips moderation: adding and moderating both."""
    return user.has_perm("episodes.add_comment") and can_moderate_comments(user)


def can_view_episodes(user) -> bool:
    return user.has_perm("episodes.view_episode") or user.has_perm("episodes.change_episode")


def can_preview_episodes(user) -> bool:
    """The editor's live preview: whoever may open an episode's page, or write a new one."""
    return can_view_episodes(user) or user.has_perm("episodes.add_episode")


def can_view_release_mailings(user) -> bool:
    return user.has_perm("episodes.view_releasemailing") or user.has_perm(
        "episodes.change_releasemailing"
    )


def can_act_on_release_mailings(user) -> bool:
    """Send a test, retry the failed, resume: the mailing's change permission. The admin
    never edits a mailing's fields, so that permission means only these actions."""
    return user.has_perm("episodes.change_releasemailing")
