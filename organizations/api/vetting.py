"""Vetting through the API: the same services as the vetting page, as workflow actions."""

from django.http import Http404
from rest_framework import serializers
from rest_framework.response import Response

from organizations.models import Criterion, DocumentKind, Rating, VettingStatus
from organizations.models.vetting import DOCUMENT_DESCRIPTION_MAX_LENGTH
from organizations.rules import is_vetting_reviewer
from organizations.selectors import vetting_applications_of
from organizations.selectors.vetting import message_shown, reviewer_numbers, vetting_document_for
from organizations.services import (
    vetting_assess,
    vetting_save_evidence,
    vetting_set_state,
    vetting_start,
)
from organizations.services.vetting_documents import (
    vetting_document_add,
    vetting_document_remove,
)
from organizations.views.vetting_documents import document_response


class AssessmentOutput(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.code")
    rating = serializers.CharField()
    # "Reviewer 1, 2…" as on the page: stable, naming no one.
    reviewer_number = serializers.SerializerMethodField()

    def get_reviewer_number(self, assessment) -> int:
        return self.context["reviewer_numbers"][assessment.reviewer_id]


class ReviewerAssessmentOutput(AssessmentOutput):
    reviewer = serializers.EmailField(source="reviewer.email")
    note = serializers.CharField()


class DocumentOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    description = serializers.CharField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class DocumentInput(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=DOCUMENT_DESCRIPTION_MAX_LENGTH
    )


class VettingOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    status = serializers.CharField()
    message = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField()
    valid_until = serializers.DateTimeField()
    evidence = serializers.SerializerMethodField()
    assessments = serializers.SerializerMethodField()
    documents = DocumentOutput(many=True, read_only=True)

    def get_message(self, application) -> str:
        return message_shown(
            application, to_reviewer=is_vetting_reviewer(self.context["request"].user)
        )

    def get_evidence(self, application) -> dict[str, str]:
        return {e.criterion.code: e.text for e in application.evidence.select_related("criterion")}

    def get_assessments(self, application) -> list[dict]:
        rows = application.assessments.select_related("criterion", "reviewer")
        context = {**self.context, "reviewer_numbers": reviewer_numbers(application)}
        # Reviewer notes and names are for the secretariat only (DESIGN.md §4).
        if is_vetting_reviewer(self.context["request"].user):
            return ReviewerAssessmentOutput(rows, many=True, context=context).data
        return AssessmentOutput(rows, many=True, context=context).data


class EvidenceInput(serializers.Serializer):
    evidence = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=5000))

    def validate_evidence(self, value):
        codes = dict(Criterion.objects.values_list("code", "pk"))
        unknown = sorted(set(value) - set(codes))
        if unknown:
            raise serializers.ValidationError(f"Unknown criteria: {', '.join(unknown)}.")
        return {codes[code]: text for code, text in value.items()}


class RatingInput(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AssessInput(serializers.Serializer):
    ratings = serializers.DictField(child=RatingInput())

    def validate_ratings(self, value):
        codes = dict(Criterion.objects.values_list("code", "pk"))
        unknown = sorted(set(value) - set(codes))
        if unknown:
            raise serializers.ValidationError(f"Unknown criteria: {', '.join(unknown)}.")
        return {codes[code]: (item["rating"], item["note"]) for code, item in value.items()}


class MessageInput(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


def _current(request, organization):
    if not request.user.has_perm("organizations.view_vetting", organization):
        raise Http404
    application = vetting_applications_of(organization).first()
    if application is None:
        raise Http404
    return application


def _output(request, organization):
    application = _current(request, organization)
    return Response(VettingOutput(application, context={"request": request}).data)


def vetting_show(request, organization):
    return _output(request, organization)


def vetting_start_action(request, organization):
    vetting_start(organization=organization, by=request.user)
    return _output(request, organization)


def vetting_evidence_action(request, organization):
    data = EvidenceInput(data=request.data)
    data.is_valid(raise_exception=True)
    vetting_save_evidence(
        application=_current(request, organization),
        by=request.user,
        texts=data.validated_data["evidence"],
    )
    return _output(request, organization)


def vetting_assess_action(request, organization):
    data = AssessInput(data=request.data)
    data.is_valid(raise_exception=True)
    vetting_assess(
        application=_current(request, organization),
        reviewer=request.user,
        ratings=data.validated_data["ratings"],
    )
    return _output(request, organization)


def vetting_transition_action(request, organization, to: VettingStatus):
    data = MessageInput(data=request.data)
    data.is_valid(raise_exception=True)
    vetting_set_state(
        application=_current(request, organization),
        to=to,
        by=request.user,
        message=data.validated_data["message"],
    )
    return _output(request, organization)


def vetting_document_upload_action(request, organization):
    data = DocumentInput(data=request.data)
    data.is_valid(raise_exception=True)
    vetting_document_add(
        application=_current(request, organization),
        by=request.user,
        upload=data.validated_data["file"],
        kind=data.validated_data["kind"],
        description=data.validated_data["description"],
    )
    return _output(request, organization)


def _document(request, organization, document_id):
    document = vetting_document_for(request.user, organization, document_id)
    if document is None:
        raise Http404
    return document


def vetting_document_download(request, organization, document_id):
    """The file itself, with the same headers as the page's download (never rendered inline)."""
    return document_response(_document(request, organization, document_id))


def vetting_document_remove_action(request, organization, document_id):
    vetting_document_remove(document=_document(request, organization, document_id), by=request.user)
    return Response(status=204)
