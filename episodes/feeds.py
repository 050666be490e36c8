from django.contrib.syndication.views import Feed

from .models import Episode


class ArticleFeed(Feed):
    title = "Back In Shape: episode articles"
    link = "/episodes/"
    description = "The deep-dive article behind each Sunday's Back In Shape episode."

    def items(self):
        return Episode.objects.published()[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.standfirst

    def item_pubdate(self, item):
        return item.publish_at


class PodcastFeed(ArticleFeed):
    title = "Back In Shape"
