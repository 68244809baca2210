"""The CSV format's own rules, without the database: the formula guard and its undoing, the
lists, the header and the rows' line numbers."""

from hypothesis import given
from hypothesis import strategies as st

from recommendations.exchange import COLUMNS, Problem, guard, parse, unguard


@given(st.text())
def test_guard_is_undone_by_unguard_for_any_text(value):
    assert unguard(guard(value)) == value


def test_guard_prefixes_what_a_spreadsheet_would_run():
    assert [guard(v) for v in ("=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "  =x", "\n=x")] == [
        "'=1+2",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "'  =x",
        "'\n=x",
    ]
    assert [guard(v) for v in ("plain", "'quoted", "a=b", "")] == ["plain", "'quoted", "a=b", ""]
    # A value that already looks guarded gets one more apostrophe, so the import gives it back.
    assert guard("'=x") == "''=x"


def _file(*rows: str) -> bytes:
    return ("\n".join([",".join(COLUMNS), *rows]) + "\n").encode()


def test_parse_reports_the_line_where_a_row_starts():
    cells = ['"R-1"', '"Brief"', '"brief"', '"2017-03-01"', '"en"', '""', '""', '""', '"policy"']
    cells += ['""', '"1"', '"Title"', '"two\nlines"', '""', '""', '""', '""', '""', '"no"']
    cells += ['""', '"R-1"']
    multi_line = ",".join(cells)
    bad = multi_line.replace('"R-1"', '"R 2"', 1).replace('"no"', '"nope"')
    rows, problems = parse(_file(multi_line, "", bad))
    assert [row.line for row in rows] == [2, 5]
    assert problems == [
        Problem(
            5,
            "reference",
            "A reference is a letter or digit, then up to 79 letters, digits and . _ / -, "
            "e.g. PVE-CP-2017/POL-2a.",
        ),
        Problem(5, "published", "Write yes or no."),
    ]
    assert rows[0]["text"] == "two\nlines"
    assert rows[0]["repeats"] == ("R-1",)


def test_parse_lists_are_split_on_the_bar_trimmed_and_each_kept_once():
    header = "reference,source_title,source_kind,source_date,title,text,countries,themes"
    data = f"{header}\nR-1,B,brief,2017-03-01,T,X, ng | KE|ng ,a|b|a\n".encode()
    rows, problems = parse(data)
    assert problems == []
    assert rows[0]["countries"] == ("NG", "KE")
    assert rows[0]["themes"] == ("a", "b")
    assert not rows[0].has("published")  # a column left out leaves what it holds


def test_parse_header_only_file():
    rows, problems = parse(",".join(COLUMNS).encode())
    assert rows == []
    assert problems == [Problem(2, "", "The file has a header but no rows.")]
