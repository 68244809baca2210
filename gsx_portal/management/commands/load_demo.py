from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from organizations.demo import (
    DEMO_DOMAIN,
    DEMO_TOTP_SECRET,
    load_demo_accounts,
    load_demo_waiting,
)
from organizations.demo_directory import load_demo_directory
from organizations.models import User


class Command(BaseCommand):
    help = "Load fictional demo accounts and data. Refuses to run with DEBUG off unless --force."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (never on a production site).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: demo accounts with a shared password would be a hole in a real "
                "site. Use --force only on a throwaway installation."
            )
        password = settings.DEMO_PASSWORD
        if not password or len(password) < 10:
            raise CommandError("Set DEMO_PASSWORD (10 characters or more) to load the demo.")
        results = load_demo_accounts(password=password)
        created = sum(1 for _account, was_created in results if was_created)
        self.stdout.write(f"Demo accounts: {created} created, {len(results) - created} present.")
        for account, _created in results:
            self.stdout.write(f"  {account.role:<30} {account.email}")
        by_email = {user.email: user for user in User.objects.filter(email__endswith=DEMO_DOMAIN)}
        added = load_demo_directory(
            reviewers=[by_email[f"reviewer@{DEMO_DOMAIN}"], by_email[f"reviewer2@{DEMO_DOMAIN}"]],
            government=by_email[f"government@{DEMO_DOMAIN}"],
            security=by_email[f"security@{DEMO_DOMAIN}"],
        )
        load_demo_waiting(security=by_email[f"security@{DEMO_DOMAIN}"])
        self.stdout.write(f"Demo organizations: {added} created.")
        # dialogues imports organizations, never the reverse: the project's command joins them.
        from dialogues.demo import load_demo_dialogues

        self.stdout.write(f"Demo meetings: {load_demo_dialogues()} created.")
        from recommendations.demo import load_demo_recommendations

        self.stdout.write(f"Demo recommendations: {load_demo_recommendations()} created.")
        self.stdout.write(f"Two-factor secret of the privileged demo accounts: {DEMO_TOTP_SECRET}")
