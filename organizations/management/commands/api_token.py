from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from organizations.models import User
from organizations.selectors import api_tokens_of
from organizations.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create, list or revoke a user's personal API tokens."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a token and print its secret once.")
        create.add_argument("email")
        create.add_argument("--write", action="store_true", help="The token may change data.")
        create.add_argument("--name", default="command line")
        listing = actions.add_parser("list", help="List a user's tokens.")
        listing.add_argument("email")
        revoke = actions.add_parser("revoke", help="Revoke a token by the start of its secret.")
        revoke.add_argument("email")
        revoke.add_argument("hint", help="The first characters shown by `list`, e.g. gsx_AbC123.")

    def _user(self, email: str) -> User:
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with the email address {email!r}.")
        return user

    def handle(self, *args, action, email, **options):
        user = self._user(email)
        if action == "create":
            try:
                _token, secret = api_token_create(
                    user=user, name=options["name"], can_write=options["write"]
                )
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
            self.stdout.write(secret)
        elif action == "list":
            for token in api_tokens_of(user):
                state = "active" if token.is_active else "revoked"
                access = "read-write" if token.can_write else "read-only"
                self.stdout.write(f"{token.hint}\t{access}\t{state}\t{token.name}")
        else:
            matches = [t for t in api_tokens_of(user) if t.is_active and t.hint == options["hint"]]
            if len(matches) != 1:
                raise CommandError(
                    f"No single active token of {user.email} starts with "
                    f"{options['hint']!r}; see `api_token list {user.email}`."
                )
            api_token_revoke(token=matches[0])
            self.stdout.write(f"Revoked {matches[0]}.")
