from django.urls import path

from organizations.views import (
    account,
    contacts,
    directory,
    introductions,
    members,
    vetting,
    vetting_documents,
)

app_name = "organizations"

urlpatterns = [
    path("account/settings/", account.account_settings, name="account_settings"),
    path("account/tokens/", account.api_tokens, name="api_tokens"),
    path(
        "account/tokens/<uuid:public_id>/revoke/",
        account.api_token_revoke_view,
        name="api_token_revoke",
    ),
    path("organizations/", directory.organization_directory, name="directory"),
    path("organizations/new/", directory.organization_create, name="create"),
    path("organizations/export.csv", directory.organization_export, name="export"),
    path("organizations/<slug:slug>/", directory.organization_detail, name="detail"),
    path("organizations/<slug:slug>/edit/", directory.organization_edit, name="edit"),
    path("organizations/<slug:slug>/members/", members.organization_members, name="members"),
    path(
        "organizations/<slug:slug>/members/<uuid:public_id>/role/",
        members.membership_role,
        name="membership_role",
    ),
    path(
        "organizations/<slug:slug>/members/<uuid:public_id>/remove/",
        members.membership_delete,
        name="membership_remove",
    ),
    path(
        "organizations/<slug:slug>/invitations/<uuid:public_id>/revoke/",
        members.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", members.invitation, name="invitation"),
    path("organizations/<slug:slug>/history/", members.organization_history_view, name="history"),
    path("organizations/<slug:slug>/contacts/", contacts.contacts_manage, name="contacts"),
    path(
        "organizations/<slug:slug>/contacts/<uuid:public_id>/",
        contacts.contacts_manage,
        name="contact_edit",
    ),
    path(
        "organizations/<slug:slug>/contacts/<uuid:public_id>/delete/",
        contacts.contact_remove,
        name="contact_delete",
    ),
    path(
        "organizations/<slug:slug>/introductions/",
        introductions.introductions_received,
        name="introductions_received",
    ),
    path(
        "organizations/<slug:slug>/introductions/<uuid:public_id>/",
        introductions.introduction_received,
        name="introduction_received",
    ),
    path(
        "organizations/<slug:slug>/introductions/<uuid:public_id>/decide/",
        introductions.introduction_decision,
        name="introduction_decide",
    ),
    path(
        "organizations/<slug:slug>/introductions/<uuid:public_id>/withdraw/",
        introductions.introduction_withdraw,
        name="introduction_withdraw",
    ),
    path(
        "organizations/<slug:slug>/introductions/<uuid:public_id>/block/",
        introductions.introduction_block_view,
        name="introduction_block",
    ),
    path(
        "organizations/<slug:slug>/blocks/<uuid:public_id>/remove/",
        introductions.introduction_unblock_view,
        name="introduction_unblock",
    ),
    path(
        "organizations/<slug:slug>/introduce/",
        introductions.introduction_new,
        name="introduction_new",
    ),
    path("organizations/<slug:slug>/vetting/", vetting.vetting, name="vetting"),
    path(
        "organizations/<slug:slug>/vetting/documents/<uuid:public_id>/",
        vetting_documents.vetting_document,
        name="vetting_document",
    ),
    path(
        "organizations/<slug:slug>/vetting/documents/<uuid:public_id>/remove/",
        vetting_documents.vetting_document_remove_view,
        name="vetting_document_remove",
    ),
    path("organizations/<slug:slug>/endorsements/", vetting.endorsements, name="endorsements"),
    path(
        "organizations/<slug:slug>/vetting/letter.pdf",
        vetting.recognition_letter,
        name="recognition_letter",
    ),
    path("vetting/", vetting.vetting_queue_view, name="vetting_queue"),
    path("vetting/requesters/", introductions.requesters, name="requesters"),
    path(
        "vetting/requesters/<uuid:public_id>/",
        introductions.requester_verification,
        name="requester_verification",
    ),
    path(
        "vetting/requesters/<uuid:public_id>/revoke/",
        introductions.requester_verification_revoke_view,
        name="requester_verification_revoke",
    ),
    path("vetting/held/", directory.held_organizations_view, name="held"),
    path("verify/<str:code>/", vetting.verify_letter, name="verify_letter"),
    path("introductions/", introductions.introductions_sent, name="introductions_sent"),
    path("introductions/<uuid:public_id>/", introductions.introduction_detail, name="introduction"),
    path(
        "introductions/<uuid:public_id>/contacts/",
        introductions.introduction_contacts,
        name="introduction_contacts",
    ),
]
