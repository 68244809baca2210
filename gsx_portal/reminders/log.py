"""The secretariat's view of the reminder engine: every reminder claimed (the ledger), the
digests that could not be sent, and the one action on them, trying a failed digest again.

The rows are read in a constant number of queries whatever the page's length; each item's
sentence is written from its stored parameters in the viewer's language, and a kind no longer
registered or parameters its sentence cannot read show as such rather than break the page.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gsx_portal import reminders
from gsx_portal.models import DigestState, ReminderDelivery, ReminderDigest
from organizations.rules import is_secretariat

logger = logging.getLogger(__name__)

# The columns of the recipient that the log shows; the rest of the account stays unread.
USER_COLUMNS = ("user__id", "user__email", "user__name")


def reminder_log() -> QuerySet:
    """Every claimed reminder, newest first, with its recipient and digest (one query)."""
    return (
        ReminderDelivery.objects.select_related("user", "digest")
        .only(
            *("id", "user_id", "kind", "object_key", "occasion", "params", "link"),
            *("claimed_at", "state", "digest_id", "settled_at"),
            *USER_COLUMNS,
            *("digest__id", "digest__state", "digest__sent_at", "digest__attempts"),
        )
        .order_by("-claimed_at", "-pk")
    )


def reminder_digests_failed() -> QuerySet:
    """The digests given up on after their last attempt, newest first, with how many items each
    carries (one query)."""
    return (
        ReminderDigest.objects.filter(state=DigestState.FAILED)
        .select_related("user")
        .only(
            *("id", "user_id", "day", "created_at", "state", "attempts", "next_attempt_at"),
            *("last_error", "language", "subject", "sent_at"),
            *USER_COLUMNS,
        )
        .annotate(item_count=Count("items"))
        .order_by("-created_at", "-pk")
    )


def reminder_sentence(kind: reminders.Kind | None, params) -> str | None:
    """The item's sentence in the active language, or None when it cannot be written: a kind no
    longer registered, or parameters its sentence does not read (stored by an older version)."""
    if kind is None:
        return None
    try:
        return str(kind.sentence(params if isinstance(params, dict) else {}))
    except Exception:
        # Any failure of a sentence is its row's, never the page's.
        logger.warning("reminder sentence of %s failed on %r", kind.name, params, exc_info=True)
        return None


def reminder_log_describe(rows) -> list:
    """``rows`` with ``kind_label`` (None for an unknown kind) and ``sentence`` set on each."""
    known = reminders.kinds()
    rows = list(rows)
    for row in rows:
        kind = known.get(row.kind)
        row.kind_label = None if kind is None else kind.label
        row.sentence = reminder_sentence(kind, row.params)
    return rows


@transaction.atomic
def reminder_digest_retry(*, digest: ReminderDigest, by) -> ReminderDigest:
    """Has a failed digest sent again by the next sweep.

    Effects, on the digest row (locked): ``state`` back to ``pending``, ``attempts`` to 0 and
    ``next_attempt_at`` to now; ``last_error`` stays until the next attempt replaces it. Its items
    are untouched: the worker asks their sources again whether each still holds when it sends.

    Refused: by anyone but the secretariat now (``PermissionDenied``); a digest that is no longer
    failed, sent or retried meanwhile, or gone (``ValidationError``). Nothing changes then.
    """
    if not is_secretariat(by):
        raise PermissionDenied
    locked = ReminderDigest.objects.select_for_update().filter(pk=digest.pk).first()
    if locked is None:
        raise ValidationError(_("This digest no longer exists."), code="gone")
    if locked.state != DigestState.FAILED:
        raise ValidationError(
            _("This digest is no longer failed (now: %(state)s). Nothing was changed.")
            % {"state": locked.get_state_display()},
            code="not_failed",
        )
    locked.state = DigestState.PENDING
    locked.attempts = 0
    locked.next_attempt_at = timezone.now()
    locked.full_clean()
    locked.save(update_fields=["state", "attempts", "next_attempt_at"])
    logger.info("reminder digest %s set to be tried again by user %s", locked.pk, by.pk)
    return locked
