"""The site's own pages: privacy, terms, cancellation and refunds, contact, about the show,
accessibility, and the medical disclaimer.

Staff write them in Markdown in the admin. Every save that changes the words adds a
numbered PageVersion, so the text a member agreed to (their Program consent names the
privacy notice's version) can always be read again, and a material change to the privacy
notice or the terms is announced to signed-in members once (PolicyNoticeSeen).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class PageKind(models.TextChoices):
    """The pages, each at a fixed address (its value): the footer and emails link to them."""

    PRIVACY = "privacy", "Privacy notice"
    TERMS = "terms", "Terms of membership"
    CANCELLATION = "cancellation", "Cancellation and refunds"
    CONTACT = "contact", "Contact"
    ABOUT = "about", "About the show"
    ACCESSIBILITY = "accessibility", "Accessibility statement"
    MEDICAL_DISCLAIMER = "medical-disclaimer", "Medical disclaimer"


# Members agreed to these two; a material change to either is announced to them once.
ANNOUNCED_KINDS = frozenset({PageKind.PRIVACY, PageKind.TERMS})


class Page(models.Model):
    """One of the site's pages as it reads now. Its earlier wordings are its versions."""

    kind = models.CharField("page", max_length=30, choices=PageKind.choices, unique=True)
    title = models.CharField(max_length=120)
    summary = models.CharField(
        max_length=300,
        help_text="One or two sentences under the title. Search engines show it too.",
    )
    body = models.TextField(
        help_text="Markdown: ## for a heading, a blank line between paragraphs, "
        "- for a list, [words](https://…) for a link."
    )
    version = models.PositiveIntegerField(
        default=0, editable=False, help_text="The number of the version on the site now."
    )
    updated_at = models.DateTimeField(
        "last updated", null=True, blank=True, editable=False, help_text="When the text changed."
    )

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PageKind.values), name="pages_page_known_kind"
            ),
            # A page on the site has a version; "last updated" is that version's date.
            models.CheckConstraint(
                condition=Q(version=0, updated_at__isnull=True)
                | Q(version__gte=1, updated_at__isnull=False),
                name="pages_page_version_dated",
            ),
        ]

    def __str__(self):
        return self.title or self.get_kind_display()

    def get_absolute_url(self):
        return reverse("pages:page", args=[self.kind])

    @property
    def is_announced(self) -> bool:
        """Members agreed to this page: a material change to it is announced to them."""
        return self.kind in ANNOUNCED_KINDS


class PageVersion(models.Model):
    """The words of a page as one save left them. Never changed or deleted afterwards."""

    page = models.ForeignKey(Page, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=120)
    summary = models.CharField(max_length=300)
    body = models.TextField()
    saved_at = models.DateTimeField(default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_material = models.BooleanField(
        "material change",
        default=False,
        help_text="Announced to signed-in members once, with what changed.",
    )
    change_note = models.CharField("what changed", max_length=200, blank=True)

    class Meta:
        ordering = ["page", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="pages_version_number_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="pages_version_number_from_1"),
            # Members are told what changed in one line: a material change must say it.
            models.CheckConstraint(
                condition=Q(is_material=False) | ~Q(change_note=""),
                name="pages_version_material_says_what_changed",
                violation_error_message="Say in one line what changed: members read it.",
            ),
        ]

    def __str__(self):
        return f"{self.title}, version {self.number}"


class PolicyNoticeSeen(models.Model):
    """A member has been shown (or dismissed) the notice of one material change."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(PageVersion, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "policy notice seen"
        verbose_name_plural = "policy notices seen"
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="pages_notice_seen_once"),
        ]

    def __str__(self):
        return f"{self.version} seen by {self.user_id}"
