from django.urls import path, register_converter

from . import views
from .models import PageKind


class PageKindConverter:
    """Exactly the pages' own addresses (/privacy/, /terms/, …): one URL pattern, so one
    view name for the page cache, and nothing else at the site's top level is taken."""

    regex = "|".join(sorted(PageKind.values, key=len, reverse=True))

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PageKindConverter, "page_kind")

app_name = "pages"

urlpatterns = [
    path("<page_kind:kind>/", views.page_detail, name="page"),
    path("notices/dismiss/", views.notice_dismiss, name="notice_dismiss"),
]
