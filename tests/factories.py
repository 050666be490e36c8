import datetime as dt

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from episodes.models import Comment, Episode, Topic
from members.models import Membership, Plan, Subscriber, User
from pages import services as page_services
from pages.models import Page, PageKind, PageVersion
from programs.models import ProgramConsent

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Faker("first_name")
    wants_sunday_email = True  # an existing member who asked for it; sign-up asks, unticked
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Verified by default; pass verified=False for an unconfirmed address."""
        if not create:
            return
        EmailAddress.objects.update_or_create(
            user=self,
            email=self.email,
            defaults={"verified": extracted is not False, "primary": True},
        )
        self.save()


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True
    # Staff names are reserved from everyone else's comments: a fixed pattern, so no test
    # finds its guest's "Alex" taken by a random staff name.
    display_name = factory.Sequence(lambda n: f"Coach {n}")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Episode title {n + 1}")
    slug = factory.Sequence(lambda n: f"episode-{n + 1}")
    standfirst = "Why your back feels the way it does, and what helps."
    body = "## Start here\n\nA paragraph everyone can read.\n\n## Next steps\n\nMore for all."
    status = Episode.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    episode = factory.SubFactory(EpisodeFactory)
    name = factory.Faker("first_name")
    email = factory.Sequence(lambda n: f"commenter{n}@example.com")
    body = "This helped me understand my own back pain."
    status = Comment.Status.APPROVED


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ["stripe_price_id"]

    name = "Monthly"
    stripe_price_id = factory.Sequence(lambda n: f"price_test_{n}")
    amount = 900
    currency = "gbp"
    interval = Plan.Interval.MONTH


def monthly_and_yearly_plans(*, yearly_description: str = "") -> dict[str, Plan]:
    """The two plans on offer, as in the demo: £9 a month and £90 a year."""
    return {
        "monthly": PlanFactory(
            name="Monthly",
            stripe_price_id="price_monthly",
            amount=900,
            interval=Plan.Interval.MONTH,
            position=1,
        ),
        "yearly": PlanFactory(
            name="Yearly",
            stripe_price_id="price_yearly",
            amount=9000,
            interval=Plan.Interval.YEAR,
            position=2,
            description=yearly_description,
        ),
    }


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    status = Membership.Status.ACTIVE
    stripe_customer_id = factory.Sequence(lambda n: f"cus_test_{n}")
    stripe_subscription_id = factory.Sequence(lambda n: f"sub_test_{n}")
    current_period_end = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.com")
    confirmed_at = factory.LazyFunction(timezone.now)


def site_page(kind: str = PageKind.PRIVACY, **words) -> Page:
    """A site page as staff first wrote it (through the service, so it is version 1);
    the page already there if the site has it."""
    page = Page.objects.filter(kind=kind).first()
    if page is None or not page.version:
        page = page or Page(kind=kind)
        page_services.page_save(
            page=page,
            title=words.get("title", PageKind(kind).label),
            summary=words.get("summary", f"The {PageKind(kind).label.lower()} of Back In Shape."),
            body=words.get("body", "## What this page says\n\nPlain words, in short sentences."),
        )
    return page


def privacy_notice_version() -> PageVersion:
    """The privacy notice's current version, writing the notice first if there is none."""
    return site_page(PageKind.PRIVACY).versions.order_by("-number").first()


class ProgramConsentFactory(factory.django.DjangoModelFactory):
    """A member's live consent to the Program keeping their health data."""

    class Meta:
        model = ProgramConsent

    privacy_version = factory.LazyFunction(privacy_notice_version)
