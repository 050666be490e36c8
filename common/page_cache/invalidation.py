"""Which change forgets what: one table of the models public pages show, each with the
generation a change to it moves (generations.py says what each generation keeps).

Cache invalidation must follow every write however it is made (the admin's change form,
its delete and bulk-delete actions, the shell, a data migration, a fixture), so it hangs
on the models' signals, which no such path can miss. It is not business logic, which
stays out of signals. Services that write with `QuerySet.update()`, which sends no
signal, call the functions of generations.py themselves.

The models are named by their labels and looked up once the apps are ready
(common/page_cache/apps.py): common/ imports no app (the import layers in pyproject.toml).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from .generations import catalogue_changed, comments_changed, content_changed


def _new_comment_awaiting_moderation(*, instance, created, update_fields) -> bool:
    # A guest's new comment shows on no cached page (the guest sees it through their
    # session, which bypasses the cache): nothing to forget until it is moderated.
    return created and instance.status == type(instance).Status.PENDING


# Saves of an account that change nothing a public page shows (signing in stamps last_login).
_ACCOUNT_FIELDS_NOT_SHOWN = frozenset({"last_login", "password"})


def _account_change_not_shown(*, instance, created, update_fields) -> bool:
    # A new account has written no comment yet.
    return created or bool(update_fields and set(update_fields) <= _ACCOUNT_FIELDS_NOT_SHOWN)


@dataclass(frozen=True)
class Invalidation:
    """A save or delete of `model` ("app_label.Model"), or a change to the links of one
    of its many-to-many fields ("app_label.Model.field"), calls `forget`; `unless`, when
    given, names the saves that show nowhere."""

    model: str
    forget: Callable[[], None]
    unless: Callable[..., bool] | None = None


# catalogue_changed: every page, and every fragment that shows no comment.
# comments_changed: every page, and every comment list.
# content_changed: every page and every fragment.
INVALIDATIONS = (
    # The lists, episode and topic pages, both feeds, the sitemap; an episode's
    # previous/next/related block and its Listen links.
    Invalidation("episodes.Episode", catalogue_changed),
    Invalidation("episodes.Episode.topics", catalogue_changed),
    Invalidation("episodes.Episode.related", catalogue_changed),
    # An episode's "Put it into practice" list and a routine's "Why this helps".
    Invalidation("episodes.Episode.routines", catalogue_changed),
    Invalidation("episodes.Topic", catalogue_changed),
    Invalidation("episodes.PodcastShow", catalogue_changed),
    Invalidation("episodes.Comment", comments_changed, unless=_new_comment_awaiting_moderation),
    # The Program overview and public routine pages.
    Invalidation("programs.Phase", catalogue_changed),
    Invalidation("programs.Routine", catalogue_changed),
    Invalidation("programs.RoutineStep", catalogue_changed),
    Invalidation("programs.Exercise", catalogue_changed),
    # A commenter's display name shows beside their comments, wherever they are kept.
    Invalidation("members.User", content_changed, unless=_account_change_not_shown),
    # The prices on the join panel of a members-only article.
    Invalidation("members.Plan", catalogue_changed),
    # Privacy, terms and the other site pages (the footer's links to them are fixed).
    Invalidation("pages.Page", catalogue_changed),
)

# m2m_changed actions after which the links are different.
_LINKS_CHANGED = frozenset({"post_add", "post_remove", "post_clear"})
# Each signal's sender (a model, or a many-to-many field's through model) → its row.
_by_sender: dict[type, Invalidation] = {}


def _saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    row = _by_sender[sender]
    if row.unless and row.unless(instance=instance, created=created, update_fields=update_fields):
        return
    row.forget()


def _deleted(sender, **kwargs) -> None:
    _by_sender[sender].forget()


def _links_changed(sender, action, **kwargs) -> None:
    if action in _LINKS_CHANGED:
        _by_sender[sender].forget()


def invalidation_connect() -> None:
    """Connect every row of INVALIDATIONS to its model's signals, once the apps are ready
    (connecting again changes nothing)."""
    for row in INVALIDATIONS:
        app_label, model_name, *field = row.model.split(".")
        model = apps.get_model(app_label, model_name)
        uid = f"page_cache:{row.model}"
        if field:
            through = model._meta.get_field(field[0]).remote_field.through
            _by_sender[through] = row
            m2m_changed.connect(_links_changed, sender=through, dispatch_uid=uid)
        else:
            _by_sender[model] = row
            post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}:saved")
            post_delete.connect(_deleted, sender=model, dispatch_uid=f"{uid}:deleted")
