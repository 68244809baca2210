from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def revoke_api_tokens_on_new_password(sender, request, user, **kwargs):
    from organizations.services.accounts import api_tokens_revoke_all

    api_tokens_revoke_all(user=user)


class GsxPortalConfig(AppConfig):
    name = "gsx_portal"
    verbose_name = _("GSX Portal")

    def ready(self):
        from gsx_portal import checks, reminders  # noqa: F401  (checks register themselves)
        from gsx_portal.notifications import notifications_delete_old
        from gsx_portal.outbox import outbox_send_due
        from organizations import reminders as organizations_reminders
        from organizations.notifications import register_kinds
        from organizations.services import introductions_expire_due, vetting_expire_due

        # The apps' housekeeping jobs for the periodic sweep (DESIGN.md §3). The project wires
        # them here so that the apps never import the project (save the outbox and the reminder
        # engine, which know nothing of them).
        reminders.register_job("organizations.introductions_expire", introductions_expire_due)
        reminders.register_job("organizations.vetting_expire", vetting_expire_due)
        # Mail whose task never ran (broker down when it was queued) or whose retry is due.
        reminders.register_job("gsx_portal.outbox", outbox_send_due)
        # Notifications past their retention period.
        reminders.register_job("gsx_portal.notifications_retention", notifications_delete_old)
        reminders.register_source(organizations_reminders.SOURCE)
        # The sentences of the organizations app's notifications, written at read time.
        register_kinds()

        # A new password ends what the old one handed out, API tokens included. allauth announces
        # password changes only by signal; the receiver only calls the service.
        from allauth.account.signals import password_changed, password_reset, password_set

        for signal in (password_changed, password_reset, password_set):
            signal.connect(
                revoke_api_tokens_on_new_password, dispatch_uid="gsx-revoke-tokens-on-password"
            )
