"""Review cycles: the list and a cycle's page (public), and the secretariat's pages that create,
edit (while upcoming), open and close them. Cycles are public, so someone who may not run them
is refused with 403 and nothing changes; every change goes through services/cycles.py."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dialogues.selectors import meetings_visible_to
from gsx_portal.cached_pages import cached_cycle, cached_cycles
from organizations.views.confirm import confirmation, with_names
from recommendations import services
from recommendations.charts import Bar, Chart, status_categories
from recommendations.forms.cycles import ReviewCycleForm
from recommendations.models import CYCLE_TRANSITIONS, CycleState, Perspective, ReviewCycle
from recommendations.rules import may_manage_recommendations
from recommendations.selectors_cycles import cycle_gaps, snapshot_counts

# The addressees listed on an open cycle's page; the rest are summed in one sentence.
GAP_ROWS = 100


def _private(request, response):
    if request.user.is_authenticated:
        response["Cache-Control"] = "no-store, private"
    return response


def _manager(request):
    if not may_manage_recommendations(request.user):
        raise PermissionDenied
    return request.user


def _cycles():
    return ReviewCycle.objects.select_related("convening")


@login_not_required
@require_GET
@cached_cycles
def cycle_list(request):
    cycles = list(_cycles().order_by("-opens_on", "-id"))
    # Whether the reader may open each cycle's convening: one query for all of them.
    visible = set(
        meetings_visible_to(request.user)
        .filter(pk__in={c.convening_id for c in cycles})
        .values_list("pk", flat=True)
    )
    context = {
        "cycles": [(cycle, cycle.convening_id in visible) for cycle in cycles],
        "may_manage": may_manage_recommendations(request.user),
    }
    return _private(request, render(request, "recommendations/cycles.html", context))


def milestones(cycle: ReviewCycle) -> list[tuple]:
    """The cycle's dates in order: the window opening, each reminder, its closing and the
    convening (its first day, in the convening's time zone)."""
    convening = cycle.convening
    dates = [(cycle.opens_on, _("The update window opens"))]
    dates += [
        (
            cycle.closes_on - timedelta(days=days),
            translation.ngettext(
                "Reminder: %(days)s day before the window closes",
                "Reminder: %(days)s days before the window closes",
                days,
            )
            % {"days": days},
        )
        for days in sorted(cycle.reminder_offsets, reverse=True)
    ]
    dates.append((cycle.closes_on, _("The update window closes")))
    dates.append((convening.starts_at.astimezone(convening.zone).date(), _("The convening")))
    return sorted(dates, key=lambda d: d[0])


def _list_url() -> str:
    """The recommendations' list (recommendations/filters.py), which filters by addressed
    ``organization`` (its public id). Its ``cycle`` filter keeps those *with* an update in the
    cycle, from anyone, so it cannot list what lacks a self-report: the lacking counts stay
    unlinked. Another area's page: until its route exists no count is linked."""
    try:
        return reverse("recommendations:list")
    except NoReverseMatch:
        return ""


def snapshot_chart(cycle: ReviewCycle, counts) -> Chart:
    labels = dict(Perspective.choices)
    return Chart(
        slug="snapshot",
        title=_("Statuses when %(cycle)s closed") % {"cycle": cycle.name},
        description=_(
            "For each perspective, how many published recommendations had each status when "
            "the cycle closed."
        ),
        categories=status_categories(),
        bars=[Bar(str(labels[p]), counts[p]) for p in Perspective.values],
    )


@login_not_required
@require_GET
@cached_cycle
def cycle_detail(request, public_id):
    cycle = get_object_or_404(_cycles(), public_id=public_id)
    user = request.user
    context = {
        "cycle": cycle,
        "convening_visible": meetings_visible_to(user).filter(pk=cycle.convening_id).exists(),
        "milestones": milestones(cycle),
        "may_manage": may_manage_recommendations(user),
        "may_edit": may_manage_recommendations(user) and cycle.state == CycleState.UPCOMING,
    }
    if cycle.state == CycleState.OPEN:
        gaps = cycle_gaps(cycle, user)
        context["gaps"] = gaps
        context["gap_rows"] = gaps.addressees[:GAP_ROWS]
        context["more_rows"] = len(gaps.addressees) - GAP_ROWS
        context["list_url"] = _list_url()
    elif cycle.state == CycleState.CLOSED:
        context["chart"] = snapshot_chart(cycle, snapshot_counts(cycle))
    return _private(request, render(request, "recommendations/cycle.html", context))


def _to_form(form, error: ValidationError) -> None:
    """A service's refusal shown on the form, by the field it names when it names one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _form_page(request, form, cycle):
    return _private(
        request,
        render(
            request,
            "recommendations/cycle_form.html",
            {"form": form, "cycle": cycle},
            status=400 if form.errors else 200,
        ),
    )


@require_http_methods(["GET", "POST"])
def cycle_new(request):
    user = _manager(request)
    form = ReviewCycleForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.review_cycle_create(by=user, **form.cleaned_data)
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(request, _("The review cycle was created; it is upcoming."))
            return redirect("recommendations:cycle", public_id=cycle.public_id)
    return _form_page(request, form, None)


@require_http_methods(["GET", "POST"])
def cycle_edit(request, public_id):
    user = _manager(request)
    cycle = get_object_or_404(_cycles(), public_id=public_id)
    if cycle.state != CycleState.UPCOMING:
        messages.error(request, _("Only an upcoming cycle can be changed."))
        return redirect("recommendations:cycle", public_id=cycle.public_id)
    form = ReviewCycleForm(request.POST or None, user=user, instance=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_cycle_update(cycle=cycle, by=user, **form.cleaned_data)
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(request, _("The review cycle was saved."))
            return redirect("recommendations:cycle", public_id=cycle.public_id)
    return _form_page(request, form, cycle)


def _transition(request, cycle, to: str, done: str):
    try:
        services.review_cycle_transition(cycle=cycle, to=to, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("recommendations:cycle", public_id=cycle.public_id)


@require_POST
def cycle_open(request, public_id):
    _manager(request)
    cycle = get_object_or_404(ReviewCycle, public_id=public_id)
    return _transition(
        request,
        cycle,
        CycleState.OPEN,
        _("The cycle is open: updates now join it, and reminders go out before it closes."),
    )


@require_http_methods(["GET", "POST"])
def cycle_close(request, public_id):
    """A confirmation first (GET): closing freezes the snapshot and cannot be undone."""
    _manager(request)
    cycle = get_object_or_404(ReviewCycle, public_id=public_id)
    if request.method == "POST":
        return _transition(
            request,
            cycle,
            CycleState.CLOSED,
            _("The cycle is closed; its snapshot is frozen."),
        )
    if CycleState.CLOSED not in CYCLE_TRANSITIONS[cycle.state]:
        messages.error(request, _("Only an open cycle can be closed."))
        return redirect("recommendations:cycle", public_id=cycle.public_id)
    return _private(
        request,
        confirmation(
            request,
            title=with_names(_("Close %(name)s?"), name=cycle.name),
            explanation=_(
                "Closing freezes a snapshot: the status of every published recommendation, "
                "from each side, as it stands now. Updates written later join the next cycle "
                "and never change this one. Reminders for this cycle stop. A closed cycle "
                "cannot be opened again."
            ),
            confirm_label=_("Close the cycle and freeze its snapshot"),
            cancel_label=_("Keep it open"),
            cancel_url=reverse("recommendations:cycle", args=[cycle.public_id]),
        ),
    )
