"""Every change to dialogues, one function per change (STYLE.md: one door per change)."""

from dialogues.services.agenda import (
    agenda_item_add,
    agenda_item_move,
    agenda_item_remove,
    agenda_item_update,
)
from dialogues.services.groups import working_group_create, working_group_update
from dialogues.services.meetings import (
    TOLD_OF_CANCELLATION,
    meeting_create,
    meeting_report_write,
    meeting_transition,
    meeting_update,
    visa_lateness_warning,
)
from dialogues.services.outcomes import action_point_add, action_point_update
from dialogues.services.participation import (
    OPEN_FOR_ANSWERS,
    participation_for_token,
    participation_invite,
    participation_record_attendance,
    participation_respond,
    rsvp_token_hash,
)
from dialogues.services.visa import (
    VISA_DETAILS_KEPT_DAYS,
    VISA_FACTS,
    holder_initials,
    visa_details_erase_due,
    visa_details_erased_on,
    visa_details_give,
    visa_details_read,
    visa_details_withdraw,
    visa_letter_issue,
    visa_letter_reference,
    visa_letter_revoke,
)

__all__ = [
    "OPEN_FOR_ANSWERS",
    "TOLD_OF_CANCELLATION",
    "VISA_DETAILS_KEPT_DAYS",
    "VISA_FACTS",
    "action_point_add",
    "action_point_update",
    "agenda_item_add",
    "agenda_item_move",
    "agenda_item_remove",
    "agenda_item_update",
    "holder_initials",
    "meeting_create",
    "meeting_report_write",
    "meeting_transition",
    "meeting_update",
    "participation_for_token",
    "participation_invite",
    "participation_record_attendance",
    "participation_respond",
    "rsvp_token_hash",
    "visa_details_erase_due",
    "visa_details_erased_on",
    "visa_details_give",
    "visa_details_read",
    "visa_details_withdraw",
    "visa_lateness_warning",
    "visa_letter_issue",
    "visa_letter_reference",
    "visa_letter_revoke",
    "working_group_create",
    "working_group_update",
]
