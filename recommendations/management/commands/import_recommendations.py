from django.core.management.base import BaseCommand, CommandError

from organizations.models import User
from recommendations.exchange import MAX_IMPORT_BYTES
from recommendations.rules import may_manage_recommendations
from recommendations.services.imports import recommendations_import


class Command(BaseCommand):
    help = (
        "Import sources and recommendations from a CSV file (docs/recommendations.md, "
        '"CSV format"), all or nothing, as a member of the secretariat. Exits with 2 when a '
        "row is bad (nothing is imported)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="Check and report only.")
        parser.add_argument("--as", dest="email", required=True, help="The secretariat member.")

    def handle(self, *args, path, dry_run=False, email, **options):
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None or not may_manage_recommendations(user):
            raise CommandError(f"{email!r} is not an active member of the secretariat.")
        try:
            with open(path, "rb") as source:
                data = source.read(MAX_IMPORT_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        report = recommendations_import(by=user, file=data, dry_run=dry_run)
        for problem in report.problems:
            where = f"line {problem.line}" if problem.line else "file"
            column = f", {problem.column}" if problem.column else ""
            self.stderr.write(f"{where}{column}: {problem.message}")
        if not report.ok:
            raise CommandError(
                f"{len(report.problems)} problem(s): nothing was imported.", returncode=2
            )
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{report.rows} rows: {len(report.created)} {verb} created, "
            f"{len(report.updated)} {verb} updated, {len(report.unchanged)} unchanged; "
            f"sources: {report.sources_created} {verb} created, "
            f"{report.sources_updated} {verb} updated."
        )
