"""The SVG charts: well-formed, named for assistive technology, a pattern as well as a colour
per category, segments in proportion to the data, mirrored in right-to-left, no style
attribute; the table rows equal to the data."""

import xml.etree.ElementTree as ET

from django.utils import translation

from recommendations.charts import WIDTH, Bar, Chart, status_categories

NS = {"svg": "http://www.w3.org/2000/svg"}


def _chart(bars=None):
    return Chart(
        slug="t",
        title="By theme: self-reports",
        description="Counts <by> status & theme",
        categories=status_categories(),
        bars=bars
        if bars is not None
        else [
            Bar("Community policing", {"implemented": 3, "in_progress": 1, "": 4}),
            Bar("Youth & education <b>", {"stalled": 2}),
        ],
    )


def _rects(svg, bar_index):
    groups = svg.findall("svg:g", NS)
    return groups[bar_index].findall("svg:rect", NS)


def test_the_svg_is_well_formed_and_named():
    svg = ET.fromstring(_chart().svg(rtl=False))  # noqa: S314 (our own markup)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-t-title chart-t-desc"
    assert svg.find("svg:title", NS).text == "By theme: self-reports"
    assert svg.find("svg:desc", NS).text == "Counts <by> status & theme"
    assert svg.find("svg:title", NS).get("id") == "chart-t-title"
    markup = str(_chart().svg(rtl=False))
    assert "style=" not in markup and "<script" not in markup
    assert "&lt;b&gt;" in markup  # a label's markup is text, escaped


def test_segments_are_in_proportion_and_carry_their_data():
    svg = ET.fromstring(_chart().svg(rtl=False))  # noqa: S314 (our own markup)
    first = [(r.get("data-category"), int(r.get("data-count"))) for r in _rects(svg, 0)]
    # In the categories' order: the statuses, then "no update yet".
    assert first == [("in_progress", 1), ("implemented", 3), ("", 4)]
    widths = [float(r.get("width")) for r in _rects(svg, 0)]
    assert widths == [WIDTH / 8, WIDTH * 3 / 8, WIDTH / 2]  # the longest bar fills the width
    xs = [float(r.get("x")) for r in _rects(svg, 0)]
    assert xs == [0, WIDTH / 8, WIDTH / 2]
    assert [float(r.get("width")) for r in _rects(svg, 1)] == [WIDTH / 4]


def test_right_to_left_mirrors_the_bars():
    ltr = ET.fromstring(_chart().svg(rtl=False))  # noqa: S314 (our own markup)
    rtl = ET.fromstring(_chart().svg(rtl=True))  # noqa: S314 (our own markup)
    assert (ltr.get("direction"), rtl.get("direction")) == ("ltr", "rtl")
    for a, b in zip(_rects(ltr, 0), _rects(rtl, 0), strict=True):
        assert float(b.get("x")) == WIDTH - float(a.get("x")) - float(a.get("width"))
    assert float(rtl.findall("svg:g", NS)[0].find("svg:text", NS).get("x")) == WIDTH
    with translation.override("ar"):
        assert ET.fromstring(_chart().markup).get("direction") == "rtl"  # noqa: S314 (our own markup)


def test_every_category_has_a_pattern_or_its_own_plain_colour_and_a_legend_entry():
    svg = ET.fromstring(_chart().svg(rtl=False))  # noqa: S314 (our own markup)
    patterns = svg.findall("svg:defs/svg:pattern", NS)
    legend = svg.find("svg:g[@class='chart__legend']", NS)
    labels = [t.text for t in legend.findall("svg:text", NS)]
    assert labels == [c.label for c in status_categories()]
    fills = [r.get("fill") for r in legend.findall("svg:rect", NS)]
    assert len(set(fills)) == len(fills) == 7
    # Five statuses are told apart by a pattern; "implemented" and "no update" are plain, and
    # differ from each other as dark and light.
    assert len(patterns) == 5
    assert all(p.find("svg:path", NS) is not None for p in patterns)


def test_the_table_rows_equal_the_data():
    assert _chart().rows == [
        ("Community policing", [0, 1, 0, 3, 0, 0, 4], 8),
        ("Youth & education <b>", [0, 0, 0, 0, 2, 0, 0], 2),
    ]


def test_an_empty_chart_is_still_well_formed():
    svg = ET.fromstring(_chart(bars=[Bar("Nothing", {})]).svg(rtl=False))  # noqa: S314 (our own markup)
    assert _rects(svg, 0) == []
    assert _chart(bars=[]).rows == []
