"""Names people type that other people read: checked, normalised and quoted safely.

Organization names are shown in the directory, in emails and on letters. Invisible characters
(zero-width, bidi overrides and isolates, other control or format characters) let two names look
identical while differing, or make a name display backwards; they are refused, not stripped, so
that what is stored is what the person saw when they typed it.
"""

import functools
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Unicode categories that never belong in a name: control (NUL, escapes…), format (zero-width
# spaces and joiners, bidi marks, overrides and isolates, BOM…), surrogates and private use.
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})


def normalise_name(value: str) -> str:
    """NFC, with runs of whitespace (tabs and line breaks included) made one space."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def validate_plain_name(value: str) -> None:
    """Refuse control, zero-width, bidi-override and other invisible characters, and words that
    mix Latin with Cyrillic or Greek letters ("Sahel" typed with a Cyrillic a and e looks the
    same; no real name needs that)."""
    _refuse_invisible(value)
    if value and not any(c.isalnum() for c in value):
        raise ValidationError(_("A name needs at least one letter or digit."), code="no_letters")
    if _stacked_marks(value):
        # Stacked accents ("zalgo" text) spill over the lines around them.
        raise ValidationError(_("Too many accents on one letter."), code="stacked_marks")
    for word in value.split():
        scripts = {_script(c) for c in unicodedata.normalize("NFKC", word) if c.isalpha()}
        if "LATIN" in scripts and scripts & LOOKALIKE_SCRIPTS:
            raise ValidationError(
                _("“%(word)s” mixes Latin with letters of another alphabet: use one alphabet."),
                code="mixed_scripts",
                params={"word": word},
            )


def _refuse_invisible(value: str, allowed: str = "") -> None:
    bad = sorted(
        {c for c in value if unicodedata.category(c) in FORBIDDEN_CATEGORIES and c not in allowed}
    )
    if bad:
        raise ValidationError(
            _("Remove the invisible or control characters (%(codes)s)."),
            code="invisible_characters",
            params={"codes": ", ".join(f"U+{ord(c):04X}" for c in bad)},
        )


def validate_plain_text(value: str) -> None:
    """As ``validate_plain_name`` for text of several lines (a reason, a description): line
    breaks, tabs and the zero-width joiners are allowed; other invisible or control characters
    (bidi overrides among them) are refused, and the text needs a letter or digit."""
    # Line breaks and tabs; and the zero-width joiner and non-joiner, which Persian, Urdu,
    # Kurdish, Indic scripts and emoji sequences need inside words.
    _refuse_invisible(value, allowed="\n\r\t\u200c\u200d")
    if value and not any(c.isalnum() for c in value):
        raise ValidationError(_("Write it with at least one letter or digit."), code="no_letters")


# More combining marks on one letter than any script needs (Arabic: shadda and a vowel;
# Vietnamese: two; a few scripts three).
MAX_MARKS_PER_LETTER = 3


def _stacked_marks(value: str) -> bool:
    run = 0
    for character in unicodedata.normalize("NFD", value):
        run = run + 1 if unicodedata.combining(character) else 0
        if run > MAX_MARKS_PER_LETTER:
            return True
    return False


# Scripts with letters that look like Latin ones.
LOOKALIKE_SCRIPTS = frozenset({"CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC"})


def _script(character: str) -> str:
    # The first word of a letter's Unicode name is its script (LATIN, CYRILLIC, ARABIC…).
    return unicodedata.name(character, "UNKNOWN").split(" ")[0]


def latin_skeleton(value: str) -> str:
    """What ``value`` looks like to a reader of Latin script: compatibility forms folded
    (NFKC: mathematical bold or fullwidth letters become plain ones) and every other letter that
    looks like a plain Latin one replaced by it (Cyrillic, Greek, Armenian, IPA…: a Cyrillic
    "Sahel" becomes the Latin one), so that look-alike names can be compared (after Unicode's
    confusables data, UTS #39)."""
    return "".join(_plain_lookalike(c) for c in unicodedata.normalize("NFKC", value))


@functools.cache
def _plain_lookalike(character: str) -> str:
    if character.isascii() or not character.isalpha():
        return character
    from confusable_homoglyphs import confusables

    for item in confusables.is_confusable(character, greedy=True) or []:
        for glyph in item["homoglyphs"]:
            if len(glyph["c"]) == 1 and glyph["c"].isascii() and glyph["c"].isalpha():
                return glyph["c"]
    return character


_SCHEME = re.compile(r"\b[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_DOT_IN_WORD = re.compile(r"(?<=\w)\.(?=\w)")


def quoted_label(value: str, max_length: int = 80) -> str:
    """``value`` as inert data for an email line: one line, no invisible characters, links
    defused (``evil.example/x`` becomes ``evil[.]example/x``, schemes are dropped) so that mail
    programs do not make them clickable, cut to ``max_length`` characters."""
    text = "".join(
        c for c in normalise_name(value) if unicodedata.category(c) not in FORBIDDEN_CATEGORIES
    )
    text = _DOT_IN_WORD.sub("[.]", _SCHEME.sub("", text))
    if len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    return text


def masked_email(address: str) -> str:
    """``a…@cso.example``: enough for its owner to recognise, not to learn someone's address."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}…@{domain}"
