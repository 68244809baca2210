import sys

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError

from organizations.models import User
from recommendations.exports import csv_chunks, export_rows, file_blocks, xlsx_file
from recommendations.selectors import recommendations_visible_to


class Command(BaseCommand):
    help = (
        "Export recommendations in the import's CSV format (or as XLSX): the published ones, "
        "or with --as EMAIL what that person sees (the secretariat: drafts too)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="The file to write (default: standard output).")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--as", dest="email", help="Export what this person may see.")

    def handle(self, *args, output=None, format="csv", email=None, **options):
        user = AnonymousUser()
        if email:
            user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
            if user is None:
                raise CommandError(f"No active user with the email address {email!r}.")
        if format == "xlsx" and not output:
            raise CommandError("Give --output PATH for an XLSX file.")
        rows = export_rows(user, recommendations_visible_to(user).order_by("reference", "id"))
        try:
            if format == "csv":
                if output:
                    with open(output, "w", encoding="utf-8", newline="") as target:
                        target.writelines(csv_chunks(rows))
                else:
                    sys.stdout.writelines(csv_chunks(rows))
            else:
                with open(output, "wb") as target:
                    for block in file_blocks(xlsx_file(rows)):
                        target.write(block)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
