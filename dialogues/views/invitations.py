"""Answering an invitation by the link in its email: works signed out, once, until the meeting
ends. Opening the link only shows the question (mail scanners open links too); the answer is the
button's POST."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from dialogues.models import ParticipationStatus
from dialogues.services import participation_for_token, participation_respond

ANSWERS = {"accept": True, "decline": False}


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def answer_by_link(request, token, answer):
    if answer not in ANSWERS:
        raise Http404
    participation = participation_for_token(token)
    if participation is None:
        return render(request, "dialogues/answer_link_used.html", status=404)
    meeting = participation.meeting
    context = {"meeting": meeting, "accept": ANSWERS[answer], "participation": participation}
    if request.method == "GET":
        return render(request, "dialogues/answer.html", context)
    try:
        participation = participation_respond(
            participation=participation, accept=ANSWERS[answer], token=token
        )
    except PermissionDenied:
        return render(request, "dialogues/answer_link_used.html", status=404)
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        return render(request, "dialogues/answer.html", context, status=409)
    context["participation"] = participation
    context["outcome"] = {
        ParticipationStatus.ACCEPTED: _("Thank you: your place is confirmed."),
        ParticipationStatus.WAITLISTED: _(
            "The meeting is full: you are on the waiting list, and will be told by email if a "
            "place opens."
        ),
        ParticipationStatus.DECLINED: _("Thank you for telling us."),
    }[participation.status]
    return render(request, "dialogues/answer_done.html", context)
