from django.urls import path

from organizations.views import account, directory, members

app_name = "organizations"

urlpatterns = [
    path("account/settings/", account.account_settings, name="account_settings"),
    path("account/tokens/", account.api_tokens, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke/", account.api_token_revoke_view, name="api_token_revoke"),
    path("organizations/", directory.organization_directory, name="directory"),
    path("organizations/new/", directory.organization_create, name="create"),
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
    path("invitations/<str:token>/", members.invitation, name="invitation"),
]
