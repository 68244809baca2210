"""Working languages an organization can name, shown by name in the reader's language.

Codes are ISO 639-1 where the language has one, ISO 639-3 otherwise (Tamasheq ``tmh``, Dari
``prs``, Mossi ``mos``...): the list is closed, so a code is valid when it is in it, whatever its
length. Names come from CLDR through Babel, in the active language.

The list covers the languages of the regions the network works in, and the languages of
Django's own list; constructed languages (Esperanto, Interlingua, Ido...) are not working
languages of any organization and were dropped (migration 0014 removes them from profiles).
"""

import functools

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext_lazy as _

DROPPED_CODES = frozenset({"eo", "ia", "ie", "io", "vo", "jbo", "tlh"})

_BY_REGION = {
    "world": "ar en es fr pt ru zh",
    "sub_saharan_africa": (
        "af ak am bm dje ee ff ha ig kg kr lg ln mg mos ny om rn rw ses sg sn so st sw ti tmh "
        "tn wo xh yo zu"
    ),
    "middle_east_north_africa": "he kab ku ckb tzm fa tr",
    "central_south_asia": (
        "az bn hi hy ka kk km kn ky ml mn mr my ne pa prs ps si ta te tg th tk ug ur uz"
    ),
    "east_asia_pacific": "id ja ko ms tl vi",
    "europe": (
        "be bg br bs ca cs cy da de el et eu fi fy ga gd gl hr hu is it lb lt lv mk nb nl nn no "
        "os pl ro sk sl sq sr sv tt uk"
    ),
    "americas": "ay gn ht qu",
}
LANGUAGE_CODES = frozenset(code for codes in _BY_REGION.values() for code in codes.split())

# Codes CLDR names under another key: Dari is the Afghan variant of Persian.
_CLDR_KEY = {"prs": "fa_AF"}


@functools.cache
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def language_name(code: str, language: str | None = None) -> str:
    """The name of a language in ``language`` (the active one by default), with a capital where
    the script has one; a code CLDR does not know (an old one) is shown as it is."""
    names = _locale(language or get_language() or "en").languages
    name = names.get(_CLDR_KEY.get(code, code)) or code
    return name[:1].upper() + name[1:]


def language_choices() -> list[tuple[str, str]]:
    """(code, name) in the reader's language, in the reader's alphabetical order."""
    return sorted(
        ((code, language_name(code)) for code in LANGUAGE_CODES),
        key=lambda choice: choice[1].casefold(),
    )


# For serializers and other code that wants a plain list: names follow the active language when
# they are shown; the order is the English one.
LANGUAGE_CHOICES = sorted(
    ((code, lazy(language_name, str)(code)) for code in LANGUAGE_CODES),
    key=lambda choice: language_name(choice[0], "en").casefold(),
)


def language_names(codes) -> list[str]:
    return [language_name(code) for code in codes]


def locale_list(names) -> str:
    """Names joined as the reader's language joins a list ("a, b et c", "أ وب وج"), from CLDR."""
    names = [str(name) for name in names]
    if not names:
        return ""
    return format_list(names, locale=to_locale(get_language() or settings.LANGUAGE_CODE))


def validate_language_code(value: str) -> None:
    if value not in LANGUAGE_CODES:
        raise ValidationError(_("%(value)s is not a known language code."), params={"value": value})
