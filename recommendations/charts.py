"""Server-rendered SVG charts: stacked horizontal bars with a legend, built from data.

Each chart is drawn for the page's direction (in right-to-left, bars grow from the right and
labels sit on the right), scales to the width it is given (a viewBox; the CSS sets its
width), names itself for assistive technology (role="img", <title>, <desc>), and marks each
category with a pattern as well as a colour, repeated in the legend, so colour is never the
only cue. No style attribute (the CSP forbids inline style): presentation attributes only.
The page shows the same numbers in a table beside it (``Chart.rows``)."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from recommendations.models import ImplementationStatus

WIDTH = 400
LABEL_HEIGHT = 20  # a bar's label, above it: long names do not squeeze the bar on a phone
BAR_HEIGHT = 24
ROW_GAP = 10
LEGEND_ROW = 24
# Two columns when every label fits in one (at FONT, about 22 characters), else one.
LEGEND_COLUMN_CHARACTERS = 22
FONT = 14
MIN_LABELLED_SEGMENT = 26  # narrower segments carry no number (the table has it)
MAX_LABEL = 50  # characters of a bar's label drawn; the whole name is in its <title>


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    colour: str
    ink: str  # the colour of a number written on the segment
    pattern: str  # an SVG path drawn over the colour in each 8 by 8 tile ("" for plain)


# Status → look. Patterns differ as colours do, so the chart reads in greyscale too.
LOOKS = {
    "": ("#e4e8e6", "#1d2421", ""),
    ImplementationStatus.NOT_STARTED: ("#8a9490", "#000000", "M0 4h8"),
    ImplementationStatus.IN_PROGRESS: ("#3f7fbf", "#ffffff", "M0 8L8 0"),
    ImplementationStatus.PARTIALLY_IMPLEMENTED: ("#8cc9a3", "#000000", "M2 2h1v1h-1zM6 6h1v1h-1z"),
    ImplementationStatus.IMPLEMENTED: ("#0b5d4b", "#ffffff", ""),
    ImplementationStatus.STALLED: ("#d08a2c", "#000000", "M0 0L8 8M8 0L0 8"),
    ImplementationStatus.NO_LONGER_RELEVANT: ("#7d5a83", "#ffffff", "M4 0v8"),
}
# Not in the earlier snapshot (published between the two cycles).
ABSENT = "absent"
LOOKS[ABSENT] = ("#ffffff", "#1d2421", "M0 0h8v8h-8z")


def status_categories(*, absent: bool = False) -> list[Category]:
    """Every implementation status, then "no update yet" (and "not published yet")."""
    labels = [(value, label) for value, label in ImplementationStatus.choices]
    labels.append(("", _("No update yet")))
    if absent:
        labels.append((ABSENT, _("Not published yet")))
    return [Category(key, str(label), *LOOKS[key]) for key, label in labels]


@dataclass
class Bar:
    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Chart:
    """``bars``, each split into ``categories``; ``slug`` makes the ids in the page unique."""

    slug: str
    title: str
    description: str
    categories: list[Category]
    bars: list[Bar] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[str, list[int], int]]:
        """The table: each bar's label, its count per category (in order) and total."""
        keys = [c.key for c in self.categories]
        return [(b.label, [b.counts.get(k, 0) for k in keys], b.total) for b in self.bars]

    def svg(self, *, rtl: bool | None = None) -> SafeString:
        """The chart's markup, for the active language's direction unless told."""
        if rtl is None:
            rtl = translation.get_language_bidi()
        # Built by ElementTree, which escapes every text and attribute.
        return mark_safe(ET.tostring(_draw(self, rtl), encoding="unicode"))  # noqa: S308

    @property
    def markup(self) -> SafeString:
        return self.svg()


def _draw(chart: Chart, rtl: bool) -> ET.Element:
    row = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    legend_top = len(chart.bars) * row + ROW_GAP
    columns = _legend_columns(chart.categories)
    legend_rows = -(-len(chart.categories) // columns)
    height = legend_top + legend_rows * LEGEND_ROW
    ids = {name: f"chart-{chart.slug}-{name}" for name in ("title", "desc")}
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {height}",
            "class": "chart",
            "role": "img",
            "aria-labelledby": f"{ids['title']} {ids['desc']}",
            "font-size": str(FONT),
            "direction": "rtl" if rtl else "ltr",
        },
    )
    ET.SubElement(svg, "title", id=ids["title"]).text = chart.title
    ET.SubElement(svg, "desc", id=ids["desc"]).text = chart.description
    defs = ET.SubElement(svg, "defs")
    fills = {}
    for index, category in enumerate(chart.categories):
        fills[category.key] = _pattern(defs, f"chart-{chart.slug}-p{index}", category)

    def x(left: float, width: float = 0) -> float:
        # Mirrored in right-to-left: the same layout read from the other side.
        return round(WIDTH - left - width if rtl else left, 2)

    scale = max((b.total for b in chart.bars), default=0) or 1
    for index, bar in enumerate(chart.bars):
        top = index * row
        group = ET.SubElement(svg, "g")
        ET.SubElement(group, "title").text = f"{bar.label}: {bar.total}"
        label = bar.label if len(bar.label) <= MAX_LABEL else bar.label[: MAX_LABEL - 1] + "…"
        ET.SubElement(
            group, "text", x=str(x(0)), y=str(top + LABEL_HEIGHT - 5), fill="#1d2421"
        ).text = f"{label} ({bar.total})"
        left = 0.0
        for category in chart.categories:
            count = bar.counts.get(category.key, 0)
            if not count:
                continue
            width = WIDTH * count / scale
            ET.SubElement(
                group,
                "rect",
                x=str(x(left, width)),
                y=str(top + LABEL_HEIGHT),
                width=str(round(width, 2)),
                height=str(BAR_HEIGHT),
                fill=fills[category.key],
                stroke="#1d2421",
                **{"stroke-width": "0.5", "data-category": category.key, "data-count": str(count)},
            )
            if width >= MIN_LABELLED_SEGMENT:
                ET.SubElement(
                    group,
                    "text",
                    x=str(x(left + width / 2)),
                    y=str(top + LABEL_HEIGHT + BAR_HEIGHT / 2 + 4),
                    fill=category.ink,
                    stroke=category.colour,
                    **{
                        "text-anchor": "middle",
                        "stroke-width": "3",
                        "paint-order": "stroke",
                        "aria-hidden": "true",
                    },
                ).text = str(count)
            left += width
    _legend(svg, chart.categories, fills, legend_top, x, columns)
    return svg


def _pattern(defs: ET.Element, pattern_id: str, category: Category) -> str:
    if not category.pattern:
        return category.colour
    pattern = ET.SubElement(
        defs, "pattern", id=pattern_id, width="8", height="8", patternUnits="userSpaceOnUse"
    )
    ET.SubElement(pattern, "rect", width="8", height="8", fill=category.colour)
    path = {"d": category.pattern, "stroke": category.ink, "fill": "none", "stroke-width": "1"}
    ET.SubElement(pattern, "path", path)
    return f"url(#{pattern_id})"


def _legend_columns(categories) -> int:
    longest = max((len(c.label) for c in categories), default=0)
    return 2 if longest <= LEGEND_COLUMN_CHARACTERS else 1


def _legend(svg, categories, fills, top, x, columns) -> None:
    legend = ET.SubElement(svg, "g", {"class": "chart__legend"})
    column = WIDTH / columns
    for index, category in enumerate(categories):
        left = (index % columns) * column
        y = top + (index // columns) * LEGEND_ROW
        ET.SubElement(
            legend,
            "rect",
            x=str(x(left, 16)),
            y=str(y),
            width="16",
            height="16",
            fill=fills[category.key],
            stroke="#1d2421",
            **{"stroke-width": "0.5"},
        )
        ET.SubElement(
            legend, "text", x=str(x(left + 22)), y=str(y + 13), fill="#1d2421"
        ).text = category.label
