"""Every change to recommendations, one function per change (STYLE.md: one door per change)."""

from recommendations.services.catalogue import (
    recommendation_create,
    recommendation_publish,
    source_document_create,
)
from recommendations.services.cycles import (
    review_cycle_create,
    review_cycle_transition,
    review_cycle_update,
)
from recommendations.services.follows import follow, record_for_followers, unfollow
from recommendations.services.progress import (
    implementation_update_add,
    implementation_update_hide,
    response_record,
)

__all__ = [
    "follow",
    "implementation_update_add",
    "implementation_update_hide",
    "recommendation_create",
    "recommendation_publish",
    "record_for_followers",
    "response_record",
    "review_cycle_create",
    "review_cycle_transition",
    "review_cycle_update",
    "source_document_create",
    "unfollow",
]
