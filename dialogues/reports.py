"""Meeting reports: Markdown written by the conveners, rendered and sanitised for the page, and
the Chatham House check (a report of a meeting held under the rule names no speaker)."""

import html as html_module
import re
import unicodedata
from urllib.parse import unquote

import nh3
from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from organizations.text import latin_skeleton

# CommonMark without raw HTML (escaped, not passed through), with tables and strikethrough.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)

# What a report may contain after rendering: text structure and links, never scripts, styles,
# images (they would load from elsewhere and tell that server who reads the report) or forms.
ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "hr", "li", "ol", "p",
    "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"align"}, "th": {"align"}}


def render_report(text: str) -> SafeString:
    """The report as HTML safe to put in a page: Markdown rendered, then sanitised by nh3
    (links keep only http, https and mailto, and open with rel="noopener noreferrer nofollow").
    Headings start at level 2: the page's title is the only h1."""
    html = _markdown.render(text or "")
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


def _folded(text: str) -> str:
    """What a reader sees, for comparing names: look-alike letters made Latin (a Cyrillic
    A is a Latin A), invisible characters (zero-width, soft hyphen, bidi marks) removed, runs
    of spaces and line breaks made one space, case folded."""
    visible = "".join(
        c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) not in ("Cf",)
    )
    folded = latin_skeleton(visible).casefold()
    # Accents do not hide a name ("Amína", "AMİNA"): compared without their marks.
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    return " ".join(folded.split())


# Characters that reorder what is shown (bidi embeddings, overrides and isolates): a report has
# no use for them, and "\u202eollaiD animA" shows a name spelt backwards in the text.
REORDERING = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def validate_report(text: str) -> None:
    found = sorted({c for c in text if c in REORDERING})
    if found:
        raise ValidationError(
            _("Remove the characters that reorder text (%(codes)s).")
            % {"codes": ", ".join(f"U+{ord(c):04X}" for c in found)}
        )


_HREF = re.compile(r'href="([^"]*)"')


def visible_text(text: str) -> str:
    """The report as readers get it: the rendered page's text (Markdown emphasis, links and
    entities resolved) and the addresses its links show when pointed at, their punctuation made
    spaces (a name in a link's address is a name too)."""
    html = str(render_report(text))
    addresses = " ".join(
        re.sub(r"[\W_]+", " ", unquote(html_module.unescape(href))) for href in _HREF.findall(html)
    )
    return html_module.unescape(strip_tags(html)) + " " + addresses


def speaker_names(meeting) -> set[str]:
    """The names of the people who spoke or took part: the participants' names, the agenda's
    speakers and its other speakers (free text, one per comma, semicolon or line)."""
    names = set()
    for name in meeting.participations.exclude(user__isnull=True).values_list(
        "user__name", flat=True
    ):
        names.add(name)
    for other in meeting.agenda_items.values_list("other_speakers", flat=True):
        names.update(re.split(r"[,;\n]", other or ""))
    # Very short names ("Al") would match ordinary words; a name is at least three letters.
    return {name.strip() for name in names if name and len(name.strip()) >= 3}


def speakers_named(meeting, text: str) -> list[str]:
    """The speakers' names that the report ``text`` shows its readers, as whole words, whatever
    their case, spacing, invisible characters, Markdown or look-alike letters."""
    folded = _folded(visible_text(text or ""))
    found = []
    for name in sorted(speaker_names(meeting)):
        name_folded = _folded(name)
        # Also run together ("AminaDiallo"), as an invisible character between them shows it.
        forms = {name_folded, name_folded.replace(" ", "")}
        pattern = r"(?<!\w)(?:" + "|".join(map(re.escape, forms)) + r")(?!\w)"
        if re.search(pattern, folded):
            found.append(name)
    return found


def chatham_house_refusal(named: list[str]) -> str:
    return _(
        "This meeting was held under the Chatham House rule: its report names no speaker. "
        "Remove: %(names)s."
    ) % {"names": ", ".join(named)}
