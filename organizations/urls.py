from django.urls import path

from organizations import views

app_name = "organizations"

urlpatterns = [
    path("settings/", views.account_settings, name="account_settings"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
]
