"""Staff edit the site's pages here. Every save that changes the words keeps a version (read
them under "Versions" on the page, or in "Page versions"); a material change to the privacy
notice or the terms is announced to signed-in members once."""

import difflib

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from . import selectors, services
from .models import Page, PageKind, PageVersion


class PageAdminForm(forms.ModelForm):
    material = forms.BooleanField(
        label="This is a material change",
        required=False,
        help_text="Something members agreed to has changed: what we keep, why, for how long, "
        "what membership costs or how it ends. Signed-in members see a short notice once. "
        "Leave it unticked for typos and rewording.",
    )
    change_note = forms.CharField(
        label="What changed, in one line",
        required=False,
        max_length=200,
        help_text="Shown in the notice, e.g. “We now delete Program data after a year "
        "without activity.”",
    )

    class Meta:
        model = Page
        fields = ["kind", "title", "summary", "body"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 28, "class": "page-body", "spellcheck": "true"}),
            "summary": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "kind" in self.fields:  # adding: only the pages the site doesn't have yet
            taken = set(Page.objects.values_list("kind", flat=True))
            self.fields["kind"].choices = [c for c in PageKind.choices if c[0] not in taken]

    def clean(self):
        cleaned = super().clean()
        page = self.instance
        if cleaned.get("kind"):
            page.kind = cleaned["kind"]
        if not page.kind or self.errors:
            return cleaned
        try:
            services.page_change_check(
                page=page,
                title=cleaned.get("title", ""),
                summary=cleaned.get("summary", ""),
                body=cleaned.get("body", ""),
                material=cleaned.get("material", False),
                change_note=cleaned.get("change_note", ""),
            )
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class PageVersionInline(admin.TabularInline):
    model = PageVersion
    fields = ["number_link", "saved_at", "saved_by", "is_material", "change_note"]
    readonly_fields = fields
    ordering = ["-number"]
    extra = 0
    can_delete = False
    verbose_name_plural = "Versions (newest first)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="version")
    def number_link(self, version):
        url = reverse("admin:pages_pageversion_change", args=[version.pk])
        return format_html('<a href="{}">Version {}</a>', url, version.number)


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    form = PageAdminForm
    list_display = ["title", "address", "version", "updated_at", "last_material_change"]
    list_display_links = ["title"]
    ordering = ["kind"]
    inlines = [PageVersionInline]

    def get_fieldsets(self, request, obj=None):
        words = ["title", "summary", "body"] if obj else ["kind", "title", "summary", "body"]
        fieldsets = [(None, {"fields": words})]
        if obj is not None and obj.is_announced:
            fieldsets.append(
                (
                    "Tell members",
                    {
                        "fields": ["material", "change_note"],
                        "description": "Members agreed to this page. If this save changes "
                        "what they agreed to, say so here.",
                    },
                )
            )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return ["kind"] if obj else []

    def has_add_permission(self, request):
        # Seven pages at fixed addresses: one of each, added only while one is missing.
        return super().has_add_permission(request) and Page.objects.count() < len(PageKind)

    def has_delete_permission(self, request, obj=None):
        return False  # the footer links to each, and consents name the privacy notice's versions

    def get_queryset(self, request):
        # The last material change of each page, in the list's one query.
        material = PageVersion.objects.filter(page=OuterRef("pk"), is_material=True).order_by(
            "-number"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                material_number=Subquery(material.values("number")[:1]),
                material_at=Subquery(material.values("saved_at")[:1]),
                material_note=Subquery(material.values("change_note")[:1]),
            )
        )

    @admin.display(description="address")
    def address(self, page):
        if not page.version:
            return "Not on the site yet"
        url = page.get_absolute_url()
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description="last material change")
    def last_material_change(self, page):
        if not page.is_announced:
            return "Not announced"
        if getattr(page, "material_number", None) is None:
            return "None yet"
        when = timezone.localtime(page.material_at)
        return f"Version {page.material_number}, {when:%-d %b %Y}: {page.material_note}"

    def save_model(self, request, obj, form, change):
        services.page_save(
            page=obj,
            title=form.cleaned_data["title"],
            summary=form.cleaned_data["summary"],
            body=form.cleaned_data["body"],
            by=request.user,
            material=form.cleaned_data.get("material", False),
            change_note=form.cleaned_data.get("change_note", ""),
        )


@admin.register(PageVersion)
class PageVersionAdmin(admin.ModelAdmin):
    """Earlier wordings, to read: a version is never changed or deleted."""

    list_display = ["__str__", "page", "number", "saved_at", "saved_by", "is_material"]
    list_filter = ["page", "is_material"]
    list_select_related = ["page", "saved_by"]
    ordering = ["page", "-number"]
    fields = [
        "page",
        "number",
        "saved_at",
        "saved_by",
        "is_material",
        "change_note",
        "title",
        "summary",
        "changes",
        "rendered",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="changes from the version before")
    def changes(self, version):
        before = (
            PageVersion.objects.filter(page_id=version.page_id, number__lt=version.number)
            .order_by("-number")
            .first()
        )
        if before is None:
            return "The first version."
        diff = difflib.unified_diff(
            before.body.splitlines(),
            version.body.splitlines(),
            fromfile=f"version {before.number}",
            tofile=f"version {version.number}",
            lineterm="",
        )
        text = (
            "\n".join(diff) or "The words of the page are the same; the title or summary changed."
        )
        return format_html('<pre class="page-diff">{}</pre>', text)

    @admin.display(description="as it read")
    def rendered(self, version):
        return format_html(
            '<div class="page-version-body">{}</div>', selectors.page_body(page=version).html
        )
