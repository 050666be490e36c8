from django.urls import path

from . import feeds, views

app_name = "episodes"

urlpatterns = [
    path("", views.home, name="home"),
    path("episodes/", views.episode_list, name="list"),
    path("episodes/archive/<int:year>/", views.episode_year, name="year"),
    path("episodes/<slug:slug>/", views.episode_detail, name="detail"),
    path("episodes/<slug:slug>/comments/", views.comment_post, name="comment_post"),
    path("topics/", views.topic_list, name="topics"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("search/", views.search, name="search"),
    path("feeds/podcast.xml", feeds.PodcastFeed(), name="podcast_feed"),
    path(
        "feeds/private/<str:token>/podcast.xml",
        feeds.private_podcast_feed,
        name="private_podcast_feed",
    ),
    path("feeds/articles.xml", feeds.ArticleFeed(), name="article_feed"),
]
