"""Working languages an organization can name: ISO 639-1 codes with their own names.

Django's language list lacks several languages widely spoken where the network works; they are
added here.
"""

from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ADDED = {
    "am": ("አማርኛ", "Amharic"),
    "ff": ("Fulfulde", "Fula"),
    "ha": ("Hausa", "Hausa"),
    "ku": ("Kurdî", "Kurdish"),
    "om": ("Afaan Oromoo", "Oromo"),
    "ps": ("پښتو", "Pashto"),
    "rw": ("Ikinyarwanda", "Kinyarwanda"),
    "so": ("Soomaali", "Somali"),
    "ti": ("ትግርኛ", "Tigrinya"),
    "tl": ("Tagalog", "Tagalog"),
    "wo": ("Wolof", "Wolof"),
    "yo": ("Yorùbá", "Yoruba"),
}


def _label(local: str, english: str) -> str:
    return english if local == english else f"{local} ({english})"


_KNOWN = {
    code: (info["name_local"], info["name"])
    for code, info in LANG_INFO.items()
    if len(code) == 2 and "name" in info
}
LANGUAGE_CHOICES = sorted(
    ((code, _label(*names)) for code, names in (_ADDED | _KNOWN).items()),
    key=lambda choice: choice[1].casefold(),
)
LANGUAGE_CODES = frozenset(code for code, _name in LANGUAGE_CHOICES)


def validate_language_code(value: str) -> None:
    if value not in LANGUAGE_CODES:
        raise ValidationError(_("%(value)s is not a known language code."), params={"value": value})
