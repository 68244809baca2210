"""Read-only admin views of recommendations: every change goes through the services (and, as
they come, the pages, the API and the CSV import), where permissions, moderation and the review
cycle's workflow are enforced."""

from django.contrib import admin

from dialogues.admin import ReadOnly, ReadOnlyAdmin
from recommendations.models import (
    AddresseeResponse,
    ImplementationUpdate,
    Recommendation,
    ReviewCycle,
    SourceDocument,
)


@admin.register(SourceDocument)
class SourceDocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "published_on", "working_group", "language"]
    list_filter = ["kind", "language"]
    search_fields = ["title"]
    date_hierarchy = "published_on"


class ResponseInline(ReadOnly, admin.TabularInline):
    model = AddresseeResponse
    extra = 0
    fields = ["organization", "status", "responded_on", "comment"]
    readonly_fields = fields


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "source", "section", "published", "updated_at"]
    list_filter = ["published", "section"]
    search_fields = ["reference", "title"]
    # The stored search vectors are for the database, not for reading.
    exclude = ["search_en", "search_fr", "search_ar"]
    inlines = [ResponseInline]


@admin.register(ImplementationUpdate)
class ImplementationUpdateAdmin(ReadOnlyAdmin):
    list_display = [
        "recommendation",
        "perspective",
        "reporting_organization",
        "status",
        "reported_on",
        "cycle",
        "hidden_at",
    ]
    list_filter = ["perspective", "status", "cycle"]
    search_fields = ["recommendation__reference", "summary"]


@admin.register(ReviewCycle)
class ReviewCycleAdmin(ReadOnlyAdmin):
    list_display = ["name", "convening", "opens_on", "closes_on", "state"]
    list_filter = ["state"]
