import base64
from functools import cache

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import SignupForm as BaseSignupForm
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from organizations.text import normalise_name, validate_plain_name


def remember_language(response, language: str):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """allauth's emails (address confirmation, password reset, security notices) go
        through the outbox like the portal's own: one row per recipient, sent by a worker with
        retries, so that a slow or failing mail server never fails a sign-up or a reset."""
        from gsx_portal.outbox import Message, outbox_add

        rendered = self.render_mail(template_prefix, email, context)
        outbox_add(
            template="account." + template_prefix.rsplit("/", 1)[-1],
            messages=[Message(to=email, subject=rendered.subject, body=rendered.body)],
        )

    def save_user(self, request, user, form, commit=True):
        # The name asked at sign-up (SignupForm.name); saved with the account, in one write.
        user.name = form.cleaned_data.get("name", "")
        # The language the person was reading the sign-up page in becomes the account's: it is
        # written to the language cookie at each sign-in (post_login), so the field's default
        # ("en") would switch someone who signed up in Arabic to English.
        language = translation.get_language()
        if language in dict(settings.LANGUAGES):
            user.language = language
        return super().save_user(request, user, form, commit=commit)

    def post_login(self, request, user, **kwargs):
        # The language chosen in the account settings follows the person to every device,
        # and stays after they sign out.
        return remember_language(super().post_login(request, user, **kwargs), user.language)


class SignupForm(BaseSignupForm):
    """allauth's sign-up, asking for the person's name (shown to the members of their
    organizations and on what they do), and taking as long for an address that has an account as
    for a new one.

    With enumeration prevention allauth answers both alike, but only a new address had its
    password hashed, and the hash is most of the time a sign-up takes: the difference told who
    has an account. An existing address now has the typed password hashed (and thrown away).
    """

    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        help_text=_("As colleagues know you; the members of your organizations will see it."),
        widget=forms.TextInput(attrs={"autocomplete": "name", "dir": "auto"}),
    )
    field_order = ["name", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["dir"] = "ltr"

    def clean_name(self):
        name = normalise_name(self.cleaned_data["name"])
        validate_plain_name(name)
        return name

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


@cache
def _field_cipher(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=b"gsx-portal", info=b"field-encryption"
        ).derive(secret_key.encode())
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    return MultiFernet([Fernet(key) for key in keys])


def field_cipher() -> MultiFernet:
    return _field_cipher(tuple(settings.FIELD_ENCRYPTION_KEYS), settings.SECRET_KEY)


class MFAAdapter(DefaultMFAAdapter):
    """Keeps TOTP secrets encrypted in the database (Fernet: AES-128-CBC with HMAC-SHA256)."""

    def encrypt(self, text: str) -> str:
        return field_cipher().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return field_cipher().decrypt(encrypted_text.encode()).decode()
