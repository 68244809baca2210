"""What a recommendation's page and a source's page show each reader: the recommendation with
its context, its addressees' responses and their history, both sides' updates, and where the
two sides disagree. Every visibility question is asked of ``recommendations.selectors`` (and the
other apps' selectors); this module only gathers, in a constant number of queries whatever the
number of responses, updates and sub-points."""

import hashlib
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from dialogues.selectors import (
    action_points_visible_to,
    meetings_visible_to,
    working_groups_visible_to,
)
from organizations.models import Organization, Theme
from organizations.regions import Region
from organizations.rules import is_secretariat, roles_now
from recommendations.models import (
    AddresseeResponse,
    AddresseeType,
    ImplementationStatus,
    ImplementationUpdate,
    Perspective,
    Recommendation,
    SourceDocument,
)
from recommendations.rules import may_assess, may_respond_for, may_self_report
from recommendations.selectors import (
    HIDDEN_ORGANIZATION,
    organization_ids_shown_to,
    recommendations_visible_to,
    responses_visible_to,
    updates_visible_to,
)

# How far each status says a recommendation has come. Two statuses of the same group tell the
# same story (nothing moves; under way; done); statuses of different groups disagree, and the
# order says which side sees more progress. "No longer relevant" is a judgement of its own: it
# disagrees with every other status, in no direction.
PROGRESS_GROUP = {
    ImplementationStatus.NOT_STARTED: 0,
    ImplementationStatus.STALLED: 0,
    ImplementationStatus.IN_PROGRESS: 1,
    ImplementationStatus.PARTIALLY_IMPLEMENTED: 1,
    ImplementationStatus.IMPLEMENTED: 2,
}
STATUS_LABELS = dict(ImplementationStatus.choices)
# Links shown as links: anything else (an old row with another scheme) is shown as text.
SAFE_SCHEMES = ("http://", "https://")
# At most this many past states of each response are read (they are rare: a response changes a
# few times in its life).
RESPONSE_HISTORY_LIMIT = 500


@dataclass
class Comparison:
    """One addressee's latest self-report beside the latest independent assessment that concerns
    it (naming it, or about the whole recommendation)."""

    response: AddresseeResponse
    self_report: ImplementationUpdate | None = None
    assessment: ImplementationUpdate | None = None

    @property
    def verdict(self) -> str:
        """``agree``, ``disagree``, or ``incomplete`` while one side has not reported."""
        if self.self_report is None or self.assessment is None:
            return "incomplete"
        return "disagree" if differs(self.self_report.status, self.assessment.status) else "agree"

    @property
    def explanation(self) -> str:
        if self.verdict == "incomplete":
            if self.self_report is None and self.assessment is None:
                return _("Neither side has reported yet.")
            if self.self_report is None:
                return _("The addressee has not reported yet.")
            return _("Civil society has not assessed it yet.")
        if self.verdict == "agree":
            return _("Both sides tell the same story.")
        mine = PROGRESS_GROUP.get(self.self_report.status)
        theirs = PROGRESS_GROUP.get(self.assessment.status)
        if mine is None or theirs is None:
            return _("One side finds it no longer relevant; the other does not.")
        if mine > theirs:
            return _("The addressee reports more progress than civil society sees.")
        return _("Civil society sees more progress than the addressee reports.")


def differs(self_status: str, assessed_status: str) -> bool:
    """Whether two statuses disagree (see ``PROGRESS_GROUP``)."""
    if self_status == assessed_status:
        return False
    return PROGRESS_GROUP.get(self_status, self_status) != PROGRESS_GROUP.get(
        assessed_status, assessed_status
    )


@dataclass
class RecommendationPage:
    recommendation: Recommendation
    themes: list
    sub_points: list
    repeats: list
    repeated_by: list
    publishers: list[str]
    meeting: object
    action_points: list
    responses: list[AddresseeResponse]
    self_reports: list[ImplementationUpdate]
    assessments: list[ImplementationUpdate]
    comparisons: list[Comparison] = field(default_factory=list)
    scope: dict = field(default_factory=dict)

    @property
    def disagreements(self) -> int:
        return sum(c.verdict == "disagree" for c in self.comparisons)


def _named(organization, shown: set[int]) -> str:
    return organization.name if organization.pk in shown else str(HIDDEN_ORGANIZATION)


def _response_history(responses, shown_ids) -> None:
    """Each response's earlier states (``history``), newest first, from the audit trail: one
    row per change of what readers see (status, comment, date), the current state left out."""
    events = apps.get_model("recommendations", "AddresseeResponseEvent")
    rows = (
        events.objects.filter(pgh_obj_id__in=[r.pk for r in responses])
        .order_by("pgh_obj_id", "pgh_created_at", "pgh_id")
        .values_list("pgh_obj_id", "pgh_created_at", "status", "comment", "responded_on")
    )[:RESPONSE_HISTORY_LIMIT]
    states: dict[int, list[dict]] = {}
    for response_id, at, status, comment, responded_on in rows:
        past = states.setdefault(response_id, [])
        state = {"status": status, "comment": comment, "responded_on": responded_on}
        if past and all(past[-1][k] == v for k, v in state.items()):
            continue  # a change of what readers do not see
        past.append({**state, "at": at})
    labels = dict(AddresseeResponse._meta.get_field("status").choices)
    for response in responses:
        past = states.get(response.pk, [])[:-1]  # the last state is the current one
        response.history = [{**s, "label": labels.get(s["status"], s["status"])} for s in past][
            ::-1
        ]


def _prepare_update(update, shown: set[int]) -> None:
    update.reporting_name = _named(update.reporting_organization, shown)
    update.reporting_shown = update.reporting_organization_id in shown
    update.addressee_name = _named(update.addressee, shown) if update.addressee_id else ""
    update.links = [
        {"url": url, "safe": url.lower().startswith(SAFE_SCHEMES)} for url in update.evidence_links
    ]


def version_seen(recommendation: Recommendation, response: AddresseeResponse | None = None) -> str:
    """What a person read before answering, as a short digest: the recommendation's words (and
    the response as it stood, for one who records it). A form carries it from the moment it was
    opened, so that an answer is never recorded against words that changed meanwhile, nor over
    a colleague's response recorded meanwhile."""
    parts = [recommendation.reference, recommendation.title, recommendation.text]
    if response is not None:
        parts += [response.status, response.comment, str(response.responded_on or "")]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


def recommendation_page(recommendation: Recommendation, user) -> RecommendationPage:
    """Everything the page shows of ``recommendation`` (which ``user`` may see) to ``user``."""
    visible = recommendations_visible_to(user)
    source = recommendation.source
    responses = list(
        responses_visible_to(user)
        .filter(recommendation=recommendation)
        .order_by("organization__name", "id")
    )
    updates = updates_visible_to(user).filter(recommendation=recommendation)
    if is_secretariat(user):
        # Who hid an update is the secretariat's to know; others never read people (and the
        # anonymous page reads only the tables the page cache follows).
        updates = updates.select_related("hidden_by")
    updates = list(updates.order_by("-reported_on", "-id"))
    publishers = list(source.publishers.order_by("name").only("pk", "name", "slug"))
    shown = organization_ids_shown_to(
        user,
        [r.organization_id for r in responses]
        + [u.reporting_organization_id for u in updates]
        + [u.addressee_id for u in updates]
        + [p.pk for p in publishers],
    )
    for response in responses:
        response.organization_name = _named(response.organization, shown)
        response.organization_shown = response.organization_id in shown
    _response_history(responses, shown)
    for update in updates:
        _prepare_update(update, shown)
    page = RecommendationPage(
        recommendation=recommendation,
        themes=list(recommendation.themes.order_by("order", "slug")),
        sub_points=list(visible.filter(parent=recommendation).order_by("position", "reference")),
        repeats=list(visible.filter(repeated_by=recommendation).order_by("reference")),
        repeated_by=list(visible.filter(repeats=recommendation).order_by("reference")),
        publishers=[
            {"name": p.name, "slug": p.slug} if p.pk in shown else {"name": HIDDEN_ORGANIZATION}
            for p in publishers
        ],
        meeting=(
            meetings_visible_to(user).filter(pk=recommendation.meeting_id).first()
            if recommendation.meeting_id
            else None
        ),
        action_points=list(action_points_visible_to(user).filter(recommendations=recommendation)),
        responses=responses,
        self_reports=[u for u in updates if u.perspective == Perspective.SELF_REPORT],
        assessments=[u for u in updates if u.perspective == Perspective.INDEPENDENT],
    )
    page.comparisons = _compare(responses, updates)
    page.scope = _scope(recommendation)
    return page


def _scope(recommendation: Recommendation) -> dict[str, list[str]]:
    """The addressee types, countries and regions in scope, by their names."""
    types = dict(AddresseeType.choices)
    regions = dict(Region.choices)
    return {
        "addressee_types": [str(types.get(t, t)) for t in recommendation.addressee_types],
        "countries": [countries.name(str(code)) or str(code) for code in recommendation.countries],
        "regions": [str(regions.get(r, r)) for r in recommendation.regions],
    }


def _compare(responses, updates) -> list[Comparison]:
    """Per addressee, the latest visible (not hidden) update of each side that concerns it;
    ``updates`` come newest first."""
    current = [u for u in updates if u.hidden_at is None]
    comparisons = []
    for response in responses:
        org = response.organization_id
        comparisons.append(
            Comparison(
                response=response,
                self_report=next(
                    (
                        u
                        for u in current
                        if u.perspective == Perspective.SELF_REPORT and u.addressee_id == org
                    ),
                    None,
                ),
                assessment=next(
                    (
                        u
                        for u in current
                        if u.perspective == Perspective.INDEPENDENT
                        and u.addressee_id in (org, None)
                    ),
                    None,
                ),
            )
        )
    return comparisons


def actions_of(user, recommendation: Recommendation, responses) -> dict:
    """What ``user`` may do on the page, asked of ``recommendations.rules`` against their roles
    now: the responses they may record, the organizations they may self-report or assess for.
    Only the organizations the user belongs to are asked about, so the queries do not grow
    with the number of addressees."""
    if not user.is_authenticated:
        return {"respond": set(), "self_report": [], "assess": []}
    secretariat = is_secretariat(user)
    mine = set(roles_now(user)["organizations"])
    respond = {
        r.pk
        for r in responses
        if (secretariat or r.organization_id in mine) and may_respond_for(user, r.organization)
    }
    choices = progress_choices(user, recommendation) if recommendation.published else {}
    return {
        "respond": respond,
        "self_report": choices.get("self_report", []),
        "assess": choices.get("assess", []),
    }


def progress_choices(user, recommendation: Recommendation) -> dict[str, list[Organization]]:
    """The organizations ``user`` may now report for on ``recommendation``: as an addressee
    (self-report) and as a vetted civil society organization (assessment)."""
    if not user.is_authenticated:
        return {"self_report": [], "assess": []}
    organizations = list(
        Organization.objects.filter(pk__in=roles_now(user)["organizations"]).order_by("name")
    )
    return {
        "self_report": [o for o in organizations if may_self_report(user, recommendation, o)],
        "assess": [o for o in organizations if may_assess(user, o)],
    }


def addressees_shown(user, recommendation: Recommendation) -> list[Organization]:
    """The addressees an assessment may name, among those the reader may see by name."""
    organizations = list(
        Organization.objects.filter(recommendation_responses__recommendation=recommendation)
        .order_by("name")
        .only("pk", "name", "slug")
    )
    shown = organization_ids_shown_to(user, [o.pk for o in organizations])
    return [o for o in organizations if o.pk in shown]


def source_page(source: SourceDocument, user) -> dict:
    """A source's visible recommendations in their order, each top-level one with its visible
    sub-points (``children``), and its publishers as the reader may name them."""
    rows = list(
        recommendations_visible_to(user)
        .filter(source=source)
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("order", "slug")))
        .order_by("position", "reference", "id")
    )
    by_id = {r.pk: r for r in rows}
    for row in rows:
        row.children = []
    top = []
    for row in rows:
        if row.parent_id in by_id:
            by_id[row.parent_id].children.append(row)
        else:
            top.append(row)
    publishers = list(source.publishers.order_by("name").only("pk", "name", "slug"))
    shown = organization_ids_shown_to(user, [p.pk for p in publishers])
    return {
        "source": source,
        "meeting": (
            meetings_visible_to(user).filter(pk=source.meeting_id).first()
            if source.meeting_id
            else None
        ),
        "working_group": (
            working_groups_visible_to(user).filter(pk=source.working_group_id).first()
            if source.working_group_id
            else None
        ),
        "recommendations": top,
        "count": len(rows),
        "publishers": [
            {"name": p.name, "slug": p.slug} if p.pk in shown else {"name": HIDDEN_ORGANIZATION}
            for p in publishers
        ],
    }


def moderation_queue(user):
    """Every update, newest first, for the secretariat's moderation page."""
    if not is_secretariat(user):
        return ImplementationUpdate.objects.none()
    return (
        updates_visible_to(user)
        .select_related("recommendation", "hidden_by", "reported_by")
        .order_by("-created_at", "-id")
    )
