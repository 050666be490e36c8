"""A small, realistic set of pages for the browser tests, built with the factories.

live_server runs on a transactional database, so each test builds what it needs.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from episodes.models import Comment, Episode, Topic
from tests.factories import CommentFactory, EpisodeFactory, TopicFactory

YOUTUBE_ID = "aBcDeFgHiJk"

ARTICLE = """\
## Why hinging matters

Bending from the hips keeps your spine steady while the big muscles of your legs do the work.
You will practise it with a broom handle along your back before you add any load.

## A first drill

Stand tall, soften your knees and push your hips back until you feel the backs of your
thighs working. Come back up by squeezing your buttocks. Five slow repetitions are plenty.

<!-- members-only -->

## The full routine

Three progressions, with sets, repetitions and the signs that you are ready for the next one.
"""


@dataclass
class SiteContent:
    topic: Topic
    episode: Episode
    older: list[Episode]


def build_site_content() -> SiteContent:
    """A topic, a few published episodes and one article with video, comments and a lock."""
    topic = TopicFactory(
        name="Hip hinging",
        slug="hip-hinging",
        description="Learning to bend from the hips so lifting stops feeling risky.",
    )
    now = timezone.now()
    older = [
        EpisodeFactory(
            title=title,
            slug=slug,
            standfirst=standfirst,
            publish_at=now - dt.timedelta(days=7 * (i + 2)),
            topics=[topic],
        )
        for i, (title, slug, standfirst) in enumerate(
            [
                (
                    "Tight hamstrings and a sore back",
                    "tight-hamstrings",
                    "Why stretching alone rarely settles a sore back, and what does.",
                ),
                (
                    "Sitting without the ache",
                    "sitting-without-the-ache",
                    "Your chair is not the enemy. Moving more often is the fix.",
                ),
            ]
        )
    ]
    episode = EpisodeFactory(
        title="Hinge from the hips",
        slug="hinge-from-the-hips",
        standfirst="A simple movement that protects your back every time you bend down.",
        body=ARTICLE,
        video_url=f"https://www.youtube.com/watch?v={YOUTUBE_ID}",
        publish_at=now - dt.timedelta(days=1),
        topics=[topic],
    )
    episode.related.set(older)
    question = CommentFactory(
        episode=episode,
        name="Alex",
        body="Does the hinge help if my pain goes down one leg? See https://example.com/notes",
    )
    CommentFactory(
        episode=episode,
        parent=question,
        name="Sam from Back In Shape",
        body="Often, yes. Start with a small range and stop if the leg pain spreads.",
        is_staff_reply=True,
    )
    CommentFactory(episode=episode, name="Jo", body="The broom handle trick made it click.")
    CommentFactory(
        episode=episode, name="Spammy", body="Not shown to anyone.", status=Comment.Status.SPAM
    )
    return SiteContent(topic=topic, episode=episode, older=older)
