import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Case, Prefetch, Q, Value, When
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from common.youtube import youtube_id

from . import podcast
from .rendering import MEMBERS_ONLY_DIVIDER_TEXT, validate_members_only_divider
from .schedule import next_release_at


class Topic(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("episodes:topic", args=[self.slug])


def _has_members_only_part() -> Q:
    """The body has the members-only divider. Bodies are stored normalised (see
    rendering.normalise_body), so it is always this exact text on a line of its own,
    which any database can look for."""
    divider = MEMBERS_ONLY_DIVIDER_TEXT
    return (
        Q(body=divider)
        | Q(body__startswith=f"{divider}\n")
        | Q(body__contains=f"\n{divider}\n")
        | Q(body__endswith=f"\n{divider}")
    )


class EpisodeQuerySet(models.QuerySet):
    def published(self, *, now=None):
        """Episodes the public may see: published, and their moment has come."""
        return self.filter(status=Episode.Status.PUBLISHED, publish_at__lte=now or timezone.now())

    def due(self, *, now=None):
        """Scheduled episodes whose release moment has passed."""
        return self.filter(status=Episode.Status.SCHEDULED, publish_at__lte=now or timezone.now())

    def with_members_only_part(self, has: bool = True):
        """Episodes whose body has (or, with has=False, lacks) the members-only divider."""
        condition = _has_members_only_part()
        return self.filter(condition) if has else self.exclude(condition)

    def public_listing(self):
        """What everyone may be shown in feeds, the sitemap and search: no bonus audio."""
        return self.filter(members_only_audio=False)

    def for_cards(self, *, with_body: bool = False):
        """What an episode card shows, in a fixed number of queries: its topics, and whether
        it has a members-only part (the card says so). The body and the search vectors,
        the largest columns, stay in the database unless `with_body` asks for the body."""
        deferred = ("search_vector", "search_vector_full") + (() if with_body else ("body",))
        return (
            self.defer(*deferred)
            .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("name")))
            .annotate(
                card_has_members_only=Case(
                    When(_has_members_only_part(), then=Value(True)),
                    default=Value(False),
                    output_field=models.BooleanField(),
                )
            )
        )


class Episode(models.Model):
    """A podcast episode and its deep-dive article."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"

    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    standfirst = models.CharField(
        max_length=300, help_text="One or two sentences under the title; also the summary."
    )
    body = models.TextField(
        help_text=(
            "Markdown. Headings (##) make the table of contents. A line with only "
            "<code>&lt;!-- members-only --&gt;</code> starts the part for premium members."
        )
    )
    video_url = models.URLField(
        blank=True, help_text="A YouTube link. It shows as a poster until the visitor clicks play."
    )
    audio_file = models.FileField(upload_to="audio/%Y/", blank=True)
    audio_url = models.URLField(blank=True, help_text="Use instead of uploading a file.")
    audio_duration = models.PositiveIntegerField(
        null=True, blank=True, help_text="Length in seconds."
    )
    audio_size = models.PositiveBigIntegerField("audio size in bytes", null=True, blank=True)
    audio_type = models.CharField(max_length=40, default="audio/mpeg")
    members_only_audio = models.BooleanField(
        "bonus audio for members",
        default=False,
        help_text=(
            "Only premium members get this episode, in their private podcast feed: it stays "
            "out of the public podcast feed, the sitemap and search for everyone else."
        ),
    )
    podcast_artwork = models.ImageField(
        upload_to="podcast-artwork/%Y/",
        blank=True,
        validators=[podcast.validate_podcast_artwork],
        help_text=(
            "Optional square artwork for podcast apps (JPEG or PNG, 1400–3000 px). "
            "Without it, apps show the show's artwork."
        ),
    )
    transcript_file = models.FileField(
        upload_to=f"{podcast.TRANSCRIPTS_FOLDER}/%Y/",
        blank=True,
        validators=[podcast.validate_transcript_extension],
        help_text="WebVTT (.vtt), SubRip (.srt), HTML or JSON. Podcast apps show it.",
    )
    chapters_file = models.FileField(
        upload_to=f"{podcast.CHAPTERS_FOLDER}/%Y/",
        blank=True,
        validators=[podcast.validate_chapters_extension],
        help_text="Podcasting 2.0 JSON chapters (.json).",
    )
    cover_image = models.ImageField(upload_to="covers/%Y/", blank=True)
    cover_alt = models.CharField(
        "cover image alt text",
        max_length=200,
        blank=True,
        help_text="Describe the image for people who cannot see it.",
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="episodes")
    related = models.ManyToManyField("self", blank=True, symmetrical=False)
    # The link lives here, on the upper side of the layers: programs knows nothing of
    # episodes. Each routine's page says "Why this helps" with its published episodes.
    routines = models.ManyToManyField(
        "programs.Routine",
        blank=True,
        related_name="episodes",
        help_text="Routines that put this episode into practice. Their pages link back here.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(default=next_release_at, db_index=True)
    release_email_at = models.DateTimeField(
        "Sunday email at",
        null=True,
        blank=True,
        editable=False,
        help_text="Published already, with its Sunday email waiting for this moment.",
    )
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Full-text search on PostgreSQL (episodes/search.py keeps them). The GIN indexes are
    # made by a PostgreSQL-only migration, not declared here, so SQLite still migrates.
    search_vector = SearchVectorField(null=True, editable=False)  # public text only
    search_vector_full = SearchVectorField(null=True, editable=False)  # with members-only

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cover_image="") | ~Q(cover_alt=""),
                name="episodes_episode_cover_has_alt",
                violation_error_message="A cover image needs alt text.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="episodes_episode_number_positive"
            ),
        ]
        indexes = [models.Index(fields=["status", "publish_at"])]

    def __str__(self):
        return f"#{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("episodes:detail", args=[self.slug])

    def clean(self):
        """A divider that would not cut publishes the members-only part: refuse it here,
        where both the admin form and services.episode_save check an episode."""
        try:
            validate_members_only_divider(self.body)
        except ValidationError as error:
            raise ValidationError({"body": error}) from None
        # Apple requires itunes:duration; an uploaded file has its length read from it
        # (services.episode_save), a linked one cannot, so staff give it.
        if self.audio_url and not self.audio_file and not self.audio_duration:
            raise ValidationError(
                {
                    "audio_duration": "Give the length in seconds for linked audio "
                    "(for example 2535 for 42 min 15 s): podcast apps need it."
                }
            )

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()

    @property
    def is_published(self) -> bool:
        """Published, whether or not its moment has come (see is_live)."""
        return self.status == self.Status.PUBLISHED

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.SCHEDULED

    @property
    def audio_src(self) -> str:
        if self.audio_file:
            return self.audio_file.url
        return self.audio_url

    @property
    def audio_preload(self) -> str:
        """What the page's player fetches before play: the length ("metadata") from our own
        storage; nothing from a host elsewhere (audio_url), which would otherwise learn of
        every visitor to the page, not only of those who press play."""
        return "metadata" if self.audio_file else "none"

    @property
    def youtube_id(self) -> str:
        return youtube_id(self.video_url)


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    name = models.CharField(max_length=80)
    email = models.EmailField()
    body = models.TextField(validators=[MaxLengthValidator(settings.COMMENT_MAX_LENGTH)])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    is_staff_reply = models.BooleanField(default=False, editable=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    moderated_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["episode", "status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="episodes_comment_not_own_parent"
            ),
        ]

    def __str__(self):
        return f"{self.name} on {self.episode}"

    def get_absolute_url(self):
        return f"{self.episode.get_absolute_url()}#comment-{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_spam(self) -> bool:
        return self.status == self.Status.SPAM

    @property
    def is_removed(self) -> bool:
        return self.status == self.Status.REMOVED

    @property
    def author_name(self) -> str:
        """A member's chosen display name as it is now; a guest's name as they wrote it."""
        return self.user.public_name if self.user_id else self.name


class ReleaseMailingQuerySet(models.QuerySet):
    def with_progress(self):
        """Each mailing with its deliveries counted: `total_count`, and `sent_count`,
        `pending_count` and `failed_count` by status (the admin and the status page)."""
        statuses = {
            "sent_count": ReleaseDelivery.Status.SENT,
            "pending_count": ReleaseDelivery.Status.PENDING,
            "failed_count": ReleaseDelivery.Status.FAILED,
        }
        counts = {
            name: models.Count("deliveries", filter=Q(deliveries__status=status))
            for name, status in statuses.items()
        }
        return self.annotate(total_count=models.Count("deliveries"), **counts)


class ReleaseMailing(models.Model):
    """The Sunday email for one episode. One per episode: a second run resumes this one."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="mailing")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    active_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a worker last took up this mailing (or is due to retry it). "
        "The resume sweep leaves a mailing alone until this is stale.",
    )

    objects = ReleaseMailingQuerySet.as_manager()

    def __str__(self):
        return f"Sunday email for {self.episode}"


class ReleaseDelivery(models.Model):
    """One recipient of one release email. The unique (mailing, email) pair is what makes
    sending exactly-once across retries, crashes and a second beat."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    mailing = models.ForeignKey(ReleaseMailing, on_delete=models.CASCADE, related_name="deliveries")
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a worker took this delivery to send. A claim older than "
        "RELEASE_CLAIM_STALE_SECONDS on a waiting delivery is a dead worker's, and is taken again.",
    )
    claimed_by = models.CharField(max_length=32, blank=True, editable=False)
    smtp_code = models.PositiveSmallIntegerField(
        "SMTP code", null=True, blank=True, help_text="The mail server's reply code, if it refused."
    )
    error = models.TextField(blank=True, help_text="Why the last attempt did not go out.")

    class Meta:
        verbose_name_plural = "release deliveries"
        constraints = [
            models.UniqueConstraint(
                "mailing", Lower("email"), name="episodes_delivery_once_per_address"
            ),
        ]
        indexes = [models.Index(fields=["mailing", "status"])]

    def __str__(self):
        return f"{self.email} ({self.get_status_display()})"


class PodcastShow(models.Model):
    """The show as podcast apps see it: one row, edited by staff, read by the feeds.

    The Podcasting 2.0 GUID is stored here once, when the row is made, so the show keeps
    its identity in every app even if the site (and so the feed URL) moves.
    """

    singleton = models.BooleanField(default=True, editable=False, unique=True)
    title = models.CharField(max_length=200, default=podcast.SHOW_TITLE)
    description = models.TextField(default=podcast.SHOW_DESCRIPTION)
    author = models.CharField(max_length=200, default=podcast.SHOW_AUTHOR)
    owner_name = models.CharField(
        max_length=200,
        default=podcast.SHOW_AUTHOR,
        help_text="Apple emails the owner about the show; it is not shown to listeners.",
    )
    owner_email = models.EmailField(default=podcast.SHOW_OWNER_EMAIL)
    apple_category = models.CharField(
        max_length=100,
        default=podcast.ITUNES_CATEGORY,
        help_text="Exactly as Apple lists it, e.g. “Health & Fitness”.",
    )
    apple_subcategory = models.CharField(
        max_length=100, blank=True, default=podcast.ITUNES_SUBCATEGORY
    )
    language = models.CharField(max_length=20, default=podcast.SHOW_LANGUAGE)
    explicit = models.BooleanField(default=False)
    copyright = models.CharField(max_length=200, default=podcast.SHOW_COPYRIGHT)
    artwork = models.ImageField(
        upload_to="podcast-artwork/",
        blank=True,
        validators=[podcast.validate_podcast_artwork],
        help_text="Square JPEG or PNG, 1400–3000 px. Empty: the artwork that ships with the site.",
    )
    apple_podcasts_url = models.URLField("Apple Podcasts URL", blank=True)
    spotify_url = models.URLField("Spotify URL", blank=True)
    podcast_guid = models.UUIDField("podcast:guid", unique=True, editable=False)

    class Meta:
        verbose_name = "podcast show settings"
        verbose_name_plural = "podcast show settings"
        constraints = [
            models.CheckConstraint(condition=Q(singleton=True), name="episodes_show_singleton"),
        ]

    def __str__(self):
        return self.title
