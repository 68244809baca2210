"""CSV and XLSX exports of the current filter: content, streaming, encoding (BOM, Arabic),
visibility (drafts and organizations the reader may not see), the formula guard, the round
trip through the import, and a number of queries that does not grow with the rows."""

import csv
import io
import logging
import re
import zipfile
from datetime import date
from xml.etree import ElementTree

import pghistory.models
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from organizations.models import Sector, Theme, VisibilityTier
from recommendations.exchange import COLUMNS
from recommendations.models import Recommendation, SourceKind
from recommendations.services import recommendation_create, source_document_create
from recommendations.services.imports import recommendations_import
from tests.conftest import signed_in
from tests.factories import OrganizationFactory

CSV_URL = "/recommendations/export.csv"
XLSX_URL = "/recommendations/export.xlsx"
ARABIC = "تعزيز الشرطة المجتمعية"


@pytest.fixture
def catalogue(reviewer):
    public = OrganizationFactory(
        slug="open-ministry", sector=Sector.GOVERNMENT, visibility_tier=VisibilityTier.PUBLIC
    )
    hidden = OrganizationFactory(slug="at-risk-forum", visibility_tier=VisibilityTier.RESTRICTED)
    source = source_document_create(
        by=reviewer,
        title="Community policing brief",
        kind=SourceKind.BRIEF,
        published_on=date(2017, 3, 1),
        publishers=[public],
    )
    theme = Theme.objects.get(slug="community-policing")

    def add(reference, published=True, **fields):
        values = {
            "title": f"Title of {reference}",
            "text": "Police services should be trained.",
            "themes": [theme],
            "addressed_organizations": [public, hidden],
            "addressee_types": ["governments"],
            "countries": ["NG"],
        } | fields
        return recommendation_create(
            by=reviewer, source=source, reference=reference, published=published, **values
        )

    add("PVE-1", title=ARABIC)
    add("PVE-2", title='=HYPERLINK("http://evil.example")', text="-2+3 and @SUM(A1)")
    add("PVE-DRAFT", published=False)
    return {"add": add, "source": source, "hidden": hidden, "public": public}


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:], newline="")))


def test_export_csv_anonymous_gets_published_only_streamed_with_bom(catalogue):
    response = Client().get(CSV_URL)
    assert response.status_code == 200
    assert response.streaming is True
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="gsx-recommendations-{today}.csv"'
    )
    assert response["Cache-Control"] == "no-store, private"
    chunks = list(response.streaming_content)
    assert len(chunks) == 3  # the header, then one chunk per row
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode()[1:], newline="")))
    assert rows[0] == list(COLUMNS)
    assert [row[0] for row in rows[1:]] == ["PVE-1", "PVE-2"]
    first = dict(zip(COLUMNS, rows[1], strict=True))
    assert first["title"] == ARABIC
    assert first["source_publishers"] == "open-ministry"
    # A restricted organization the visitor may not know exists is not named.
    assert first["addressed_organizations"] == "open-ministry"
    assert (first["published"], first["countries"], first["themes"]) == (
        "yes",
        "NG",
        "community-policing",
    )


def test_export_csv_secretariat_gets_drafts_and_every_addressee(catalogue, reviewer):
    rows = _csv(signed_in(reviewer).get(CSV_URL))
    assert [row[0] for row in rows[1:]] == ["PVE-1", "PVE-2", "PVE-DRAFT"]
    assert rows[3][COLUMNS.index("published")] == "no"
    assert rows[1][COLUMNS.index("addressed_organizations")] == "at-risk-forum|open-ministry"


def test_export_csv_guards_formulas(catalogue):
    rows = _csv(Client().get(CSV_URL))
    second = dict(zip(COLUMNS, rows[2], strict=True))
    assert second["title"] == '\'=HYPERLINK("http://evil.example")'
    assert second["text"] == "'-2+3 and @SUM(A1)"


def test_export_csv_follows_the_filter_and_refuses_bad_values(catalogue, reviewer):
    rows = _csv(signed_in(reviewer).get(CSV_URL, {"published": "false"}))
    assert [row[0] for row in rows[1:]] == ["PVE-DRAFT"]
    response = Client().get(CSV_URL, {"year": "soon", "theme": "no-such-theme"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "year: " in text and "theme: " in text
    # Anonymous visitors' "drafts" are empty, never the secretariat's drafts.
    response = Client().get(CSV_URL, {"published": "false"})
    assert response.status_code == 200, response.content
    assert _csv(response)[1:] == []


def test_export_is_recorded_as_a_security_event(catalogue, reviewer, caplog):
    with caplog.at_level(logging.INFO, logger="gsx.security"):
        b"".join(signed_in(reviewer).get(CSV_URL, {"section": "general"}).streaming_content)
    assert [r.getMessage() for r in caplog.records if r.name == "gsx.security"] == [
        f"recommendations.exported format=csv user={reviewer.pk} query=section=general"
    ]


def test_export_round_trip_through_the_import_changes_nothing(catalogue, reviewer):
    catalogue["add"]("PVE-1a", parent=Recommendation.objects.get(reference="PVE-1"))
    body = b"".join(signed_in(reviewer).get(CSV_URL).streaming_content)
    before = dict(Recommendation.objects.values_list("reference", "updated_at"))
    events = pghistory.models.Events.objects.count()
    with CaptureQueriesContext(connection) as queries:
        report = recommendations_import(by=reviewer, file=body, dry_run=False)
    assert report.problems == []
    assert sorted(report.unchanged) == sorted(before)
    assert (report.created, report.updated, report.sources_updated) == ([], [], 0)
    assert [q for q in queries if q["sql"].startswith(("UPDATE", "INSERT", "DELETE"))] == []
    assert dict(Recommendation.objects.values_list("reference", "updated_at")) == before
    assert pghistory.models.Events.objects.count() == events


def _count_export_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        b"".join(response.streaming_content)
    return len(queries)


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_export_query_count_is_constant_in_rows(
    catalogue, reviewer, django_assert_num_queries, url
):
    client = signed_in(reviewer)
    Recommendation.objects.exclude(reference="PVE-1").delete()
    _count_export_queries(client, url)  # the first request of a session fills per-process caches
    one = _count_export_queries(client, url)
    for n in range(2, 8):
        catalogue["add"](f"PVE-{n}-x")
    with django_assert_num_queries(one):
        response = client.get(url)
        body = b"".join(response.streaming_content)
    rows = _xlsx_rows(body) if url == XLSX_URL else _csv_of(body)
    assert len(rows) == 8


def _csv_of(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode()[1:], newline="")))


def test_export_reads_in_chunks(catalogue, reviewer, monkeypatch):
    monkeypatch.setattr("recommendations.exports.CHUNK_SIZE", 1)
    monkeypatch.setattr("recommendations.exports.export_rows.__defaults__", (1,), raising=True)
    rows = _csv(signed_in(reviewer).get(CSV_URL))
    assert [row[0] for row in rows[1:]] == ["PVE-1", "PVE-2", "PVE-DRAFT"]
    assert rows[1][COLUMNS.index("addressed_organizations")] == "at-risk-forum|open-ministry"


def _xlsx_rows(body: bytes) -> list[list[str]]:
    """The first sheet's cells, read with zipfile and XML only (no spreadsheet library)."""
    ns = {"s": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        # Our own export, read back in a test: not untrusted XML.
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))  # noqa: S314
    rows = []
    for row in sheet.iterfind(".//s:sheetData/s:row", ns):
        cells = []
        for cell in row.iterfind("s:c", ns):
            text = cell.find("s:is/s:t", ns)
            value = cell.find("s:v", ns)
            assert cell.find("s:f", ns) is None  # never a formula
            cells.append(text.text if text is not None else value.text)
        rows.append(cells)
    return rows


def test_export_xlsx_streams_a_workbook_with_arabic(catalogue):
    response = Client().get(XLSX_URL)
    assert response.status_code == 200
    assert response.streaming is True
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    today = timezone.localdate().isoformat()
    assert re.search(
        rf'filename="gsx-recommendations-{today}\.xlsx"', response["Content-Disposition"]
    )
    rows = _xlsx_rows(b"".join(response.streaming_content))
    assert rows[0] == list(COLUMNS)
    assert [row[0] for row in rows[1:]] == ["PVE-1", "PVE-2"]
    assert rows[1][COLUMNS.index("title")] == ARABIC
    assert rows[2][COLUMNS.index("title")] == '=HYPERLINK("http://evil.example")'


def test_export_xlsx_comes_in_several_blocks(catalogue, reviewer, monkeypatch):
    monkeypatch.setattr("recommendations.exports.XLSX_BLOCK", 1024)
    response = signed_in(reviewer).get(XLSX_URL)
    blocks = list(response.streaming_content)
    assert len(blocks) > 2
    assert [row[0] for row in _xlsx_rows(b"".join(blocks))[1:]] == ["PVE-1", "PVE-2", "PVE-DRAFT"]


def test_export_xlsx_refuses_bad_filters(catalogue):
    response = Client().get(XLSX_URL, {"ordering": "sideways"})
    assert response.status_code == 400
    assert response.content.decode().startswith("ordering: ")


def test_export_and_import_commands_round_trip(catalogue, reviewer, tmp_path, capsys):
    path = tmp_path / "all.csv"
    call_command("export_recommendations", "--output", str(path), "--as", reviewer.email)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    call_command("import_recommendations", str(path), "--dry-run", "--as", reviewer.email)
    assert capsys.readouterr().out == (
        "3 rows: 0 would be created, 0 would be updated, 3 unchanged; "
        "sources: 0 would be created, 0 would be updated.\n"
    )
    call_command(
        "export_recommendations", "--output", str(tmp_path / "all.xlsx"), "--format", "xlsx"
    )
    assert len(_xlsx_rows((tmp_path / "all.xlsx").read_bytes())) == 3  # published only


def test_import_command_exits_with_2_on_bad_rows(reviewer, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("reference,source_title\nPVE 1,x\n", encoding="utf-8")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as refused:
        call_command("import_recommendations", str(path), "--as", reviewer.email)
    assert refused.value.returncode == 2
    assert Recommendation.objects.count() == 0


@pytest.mark.parametrize("query", [{"q": "\x00"}, {"year": "9" * 400}, {"source": "\u202e"}])
def test_export_odd_queries_never_fail(catalogue, query):
    for url in (CSV_URL, XLSX_URL):
        response = Client().get(url, query)
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            b"".join(response.streaming_content)


def test_exports_are_rationed_per_client(catalogue, reviewer, monkeypatch):
    from recommendations.views import exports as export_views

    monkeypatch.setattr(export_views, "EXPORTS_PER_PERIOD", 2)
    visitor, secretariat = Client(), signed_in(reviewer)
    assert [visitor.get(CSV_URL).status_code for _ in range(2)] == [200, 200]
    refused = visitor.get(XLSX_URL)
    assert refused.status_code == 429
    assert refused.content.decode().startswith("Too many exports from you in the last hour")
    assert 0 < int(refused["Retry-After"]) <= 1800
    # A signed-in person has a bucket of their own, whatever address they share.
    assert secretariat.get(CSV_URL).status_code == 200
    # A refused filter costs nothing from the bucket.
    assert Client().get(CSV_URL + "?year=abc").status_code == 400
