"""The CSV import through its service: a good file, every kind of bad row with its exact line,
column and reason, the dry run, all or nothing, and importing the same file twice."""

import codecs
from datetime import date

import pghistory.models
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations.models import Sector
from recommendations.exchange import COLUMNS, Problem
from recommendations.models import (
    AddresseeResponse,
    Recommendation,
    ResponseStatus,
    SourceDocument,
)
from recommendations.services import response_record
from recommendations.services.imports import recommendations_import
from tests.factories import MembershipFactory, OrganizationFactory

HEADER = ",".join(COLUMNS)


def line(**cells) -> str:
    values = {
        "reference": "PVE-CP-2017/POL-1",
        "source_title": "Community policing brief",
        "source_kind": "brief",
        "source_date": "2017-03-01",
        "source_language": "en",
        "source_link": "https://example.org/brief.pdf",
        "source_publishers": "",
        "source_other_publishers": "",
        "section": "policy",
        "parent": "",
        "position": "1",
        "title": "Make community policing the ethos",
        "text": "Police services should be trained in community policing.",
        "themes": "community-policing",
        "addressee_types": "governments|security_sector",
        "addressed_organizations": "",
        "countries": "NG|KE",
        "regions": "sub_saharan_africa",
        "published": "yes",
        "meeting": "",
        "repeats": "",
    } | cells
    return ",".join('"' + str(values[c]).replace('"', '""') + '"' for c in COLUMNS)


def csv_file(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


@pytest.fixture
def ministry(db):
    return OrganizationFactory(name="Ministry of Safety", slug="ministry", sector=Sector.GOVERNMENT)


GOOD = csv_file(
    line(addressed_organizations="ministry"),
    line(reference="PVE-CP-2017/POL-1a", parent="PVE-CP-2017/POL-1", position="2"),
    line(reference="PVE-CP-2017/POL-2", repeats="PVE-CP-2017/POL-1", published="no"),
)


def test_import_good_file_creates_sources_and_recommendations(reviewer, ministry):
    report = recommendations_import(by=reviewer, file=GOOD, dry_run=False)
    assert report.problems == []
    assert report.created == ["PVE-CP-2017/POL-1", "PVE-CP-2017/POL-1a", "PVE-CP-2017/POL-2"]
    assert (report.sources_created, report.updated, report.unchanged) == (1, [], [])
    first = Recommendation.objects.get(reference="PVE-CP-2017/POL-1")
    assert first.source.title == "Community policing brief"
    assert first.source.published_on == date(2017, 3, 1)
    assert [t.slug for t in first.themes.all()] == ["community-policing"]
    assert first.addressee_types == ["governments", "security_sector"]
    assert [str(c) for c in first.countries] == ["NG", "KE"]
    assert list(first.responses.values_list("organization__slug", "status")) == [
        ("ministry", "pending")
    ]
    sub = Recommendation.objects.get(reference="PVE-CP-2017/POL-1a")
    assert sub.parent == first
    second = Recommendation.objects.get(reference="PVE-CP-2017/POL-2")
    assert list(second.repeats.all()) == [first]
    assert second.published is False
    assert SourceDocument.objects.count() == 1


def test_import_is_refused_to_anyone_but_the_secretariat(cso_admin, government_user):
    for user in (cso_admin, government_user):
        with pytest.raises(PermissionDenied):
            recommendations_import(by=user, file=GOOD, dry_run=True)
    assert Recommendation.objects.count() == 0


def test_import_dry_run_reports_and_writes_nothing(reviewer, ministry):
    events = pghistory.models.Events.objects.count()
    report = recommendations_import(by=reviewer, file=GOOD, dry_run=True)
    assert report.ok and report.dry_run and not report.applied
    assert len(report.created) == 3 and report.sources_created == 1
    assert Recommendation.objects.count() == 0
    assert SourceDocument.objects.count() == 0
    assert pghistory.models.Events.objects.count() == events


def test_import_same_file_twice_changes_nothing(reviewer, ministry):
    recommendations_import(by=reviewer, file=GOOD, dry_run=False)
    before = dict(Recommendation.objects.values_list("reference", "updated_at"))
    events = pghistory.models.Events.objects.count()
    with CaptureQueriesContext(connection) as queries:
        report = recommendations_import(by=reviewer, file=GOOD, dry_run=False)
    assert report.problems == []
    assert (report.created, report.updated, report.sources_created) == ([], [], 0)
    assert report.sources_updated == 0
    assert sorted(report.unchanged) == sorted(before)
    writes = [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT", "DELETE"))]
    assert writes == []
    assert dict(Recommendation.objects.values_list("reference", "updated_at")) == before
    assert pghistory.models.Events.objects.count() == events


def test_import_changed_row_updates_through_the_edit_rules(reviewer, ministry):
    recommendations_import(by=reviewer, file=GOOD, dry_run=False)
    other = OrganizationFactory(slug="donor-fund", sector=Sector.DONOR)
    changed = csv_file(
        line(addressed_organizations="donor-fund", title="Community policing as the ethos"),
        line(reference="PVE-CP-2017/POL-1a", parent="PVE-CP-2017/POL-1", position="2"),
        line(reference="PVE-CP-2017/POL-2", repeats="PVE-CP-2017/POL-1", published="yes"),
    )
    report = recommendations_import(by=reviewer, file=changed, dry_run=False)
    assert report.problems == []
    assert sorted(report.updated) == ["PVE-CP-2017/POL-1", "PVE-CP-2017/POL-2"]
    assert report.unchanged == ["PVE-CP-2017/POL-1a"]
    first = Recommendation.objects.get(reference="PVE-CP-2017/POL-1")
    assert first.title == "Community policing as the ethos"
    assert list(first.responses.values_list("organization", flat=True)) == [other.pk]
    assert Recommendation.objects.get(reference="PVE-CP-2017/POL-2").published is True


def test_import_refuses_removing_an_addressee_that_responded(reviewer, ministry):
    recommendations_import(by=reviewer, file=GOOD, dry_run=False)
    member = MembershipFactory(organization=ministry).user
    response = AddresseeResponse.objects.get(organization=ministry)
    response_record(response=response, by=member, status=ResponseStatus.SUPPORTED)
    report = recommendations_import(
        by=reviewer, file=csv_file(line(addressed_organizations="")), dry_run=False
    )
    assert report.problems == [
        Problem(
            2,
            "addressed_organizations",
            "These organizations have responded or reported: they stay: ministry.",
        )
    ]
    assert AddresseeResponse.objects.filter(organization=ministry).count() == 1


BAD_ROWS = [
    (line(reference="bad reference!"), "reference", "A reference is a letter or digit"),
    (line(themes="no-such-theme"), "themes", "No theme has this code: no-such-theme."),
    (
        line(addressed_organizations="nobody"),
        "addressed_organizations",
        "No organization has this address: nobody.",
    ),
    (line(source_kind="pamphlet"), "source_kind", "Value 'pamphlet' is not a valid choice."),
    (
        line(parent="PVE-XX-1"),
        "parent",
        "No recommendation has this reference, in the portal or in the file.",
    ),
    (line(countries="NG|XX"), "countries", "Not ISO 3166 country codes: XX."),
    (line(published="maybe"), "published", "Write yes or no."),
    (line(text="x" * 20_001), "text", "Ensure this value has at most 20000 characters"),
    (line(title="A\x00title"), "title", "Remove the NUL character (U+0000)."),
    (line(source_date="01/03/2017"), "source_date", "Write the date as YYYY-MM-DD"),
    (line(position="-1"), "position", "Write a whole number from 0 to 2147483647."),
    (line(regions="atlantis"), "regions", "Not regions: atlantis."),
    (line(addressee_types="aliens"), "addressee_types", "Not addressee types: aliens."),
    (line(meeting="not-a-uuid"), "meeting", "Write the meeting's id"),
    (
        line(meeting="3f2b0c1e-1111-4222-8333-944455556666"),
        "meeting",
        "No meeting has this id.",
    ),
    (line(title="\u202eevil"), "title", "Remove the invisible or control characters (U+202E)."),
    (line(repeats="PVE-CP-2017/POL-1"), "repeats", "A recommendation cannot repeat itself."),
    (line(parent="PVE-CP-2017/POL-1"), "parent", "A recommendation is not its own part."),
]


@pytest.mark.parametrize(("row", "column", "reason"), BAD_ROWS)
def test_import_reports_each_bad_row(reviewer, ministry, row, column, reason):
    good = line(reference="PVE-OK-1")
    report = recommendations_import(by=reviewer, file=csv_file(good, row), dry_run=False)
    assert [(p.line, p.column) for p in report.problems] == [(3, column)]
    assert report.problems[0].message.startswith(reason)
    # All or nothing: the good row is not imported either.
    assert Recommendation.objects.count() == 0
    assert SourceDocument.objects.count() == 0


def test_import_reports_every_problem_of_every_row(reviewer, ministry):
    data = csv_file(
        line(reference="A-1", themes="nope", published="perhaps"),
        line(reference="A-2", countries="ZZ"),
        line(reference="A-1"),
    )
    report = recommendations_import(by=reviewer, file=data, dry_run=True)
    assert [(p.line, p.column) for p in report.problems] == [
        (2, "themes"),
        (2, "published"),
        (3, "countries"),
        (4, "reference"),
    ]
    assert report.problems[3].message == "This reference is also on line 2."


def test_import_reports_a_circle_of_parents(reviewer):
    data = csv_file(
        line(reference="C-1", parent="C-2"),
        line(reference="C-2", parent="C-3"),
        line(reference="C-3", parent="C-1"),
    )
    report = recommendations_import(by=reviewer, file=data, dry_run=False)
    assert [(p.line, p.column) for p in report.problems] == [
        (2, "parent"),
        (3, "parent"),
        (4, "parent"),
    ]
    assert report.problems[0].message == "The parents go round in a circle: C-1 → C-2 → C-3 → C-1."
    assert Recommendation.objects.count() == 0


def test_import_parent_later_in_the_file_is_created_first(reviewer):
    data = csv_file(line(reference="L-1a", parent="L-1"), line(reference="L-1"))
    report = recommendations_import(by=reviewer, file=data, dry_run=False)
    assert report.problems == [] and report.created == ["L-1", "L-1a"]
    assert Recommendation.objects.get(reference="L-1a").parent.reference == "L-1"


def test_import_parent_of_another_source_is_refused(reviewer):
    data = csv_file(
        line(reference="P-1"),
        line(reference="P-1a", parent="P-1", source_title="Another brief"),
    )
    report = recommendations_import(by=reviewer, file=data, dry_run=False)
    assert report.problems == [Problem(3, "parent", "A sub-point belongs to the same source.")]


def test_import_source_columns_must_agree_between_rows(reviewer):
    data = csv_file(line(reference="S-1"), line(reference="S-2", source_kind="concept_note"))
    report = recommendations_import(by=reviewer, file=data, dry_run=False)
    assert report.problems == [
        Problem(3, "source_kind", "The same source (title and date) says otherwise on line 2.")
    ]


def test_import_header_problems(reviewer):
    header = HEADER.replace("title,text", "title,colour") + ",title"
    report = recommendations_import(by=reviewer, file=csv_file(header=header), dry_run=False)
    assert report.problems == [
        Problem(1, "colour", "Unknown column."),
        Problem(1, "title", "This column is there twice."),
        Problem(1, "text", "This column is missing."),
    ]


def test_import_reads_utf8_with_bom_and_refuses_other_encodings(reviewer):
    arabic = line(reference="AR-1", title="الشرطة المجتمعية", text="نص التوصية")
    report = recommendations_import(
        by=reviewer, file=codecs.BOM_UTF8 + csv_file(arabic), dry_run=False
    )
    assert report.problems == []
    assert Recommendation.objects.get(reference="AR-1").title == "الشرطة المجتمعية"
    latin1 = csv_file(line(reference="FR-1", title="Sécurité")).decode().encode("latin-1")
    report = recommendations_import(by=reviewer, file=latin1, dry_run=False)
    assert [p.line for p in report.problems] == [0]
    assert report.problems[0].message.startswith("The file is not UTF-8 (byte ")
    utf16 = csv_file(line()).decode().encode("utf-16")
    report = recommendations_import(by=reviewer, file=utf16, dry_run=False)
    assert report.problems == [
        Problem(0, "", "The file is UTF-16: save it as CSV UTF-8 and upload it again.")
    ]


def test_import_refuses_a_file_over_the_limit(reviewer, monkeypatch):
    monkeypatch.setattr("recommendations.exchange.MAX_IMPORT_BYTES", 1024 * 1024)
    data = csv_file(*[line(reference=f"BIG-{n}") for n in range(4000)])
    assert len(data) > 1024 * 1024
    report = recommendations_import(by=reviewer, file=data, dry_run=False)
    assert report.problems == [
        Problem(0, "", "The file is larger than 1 MB: split it into several files.")
    ]


def test_import_row_with_wrong_number_of_cells(reviewer):
    report = recommendations_import(by=reviewer, file=csv_file('"R-1","x"'), dry_run=False)
    assert report.problems == [Problem(2, "", "This row has 2 cells; the header has 21.")]


def test_import_undoes_the_formula_guard(reviewer):
    data = csv_file(line(reference="F-1", title="'=1+2 is not a formula", text="'-dash"))
    report = recommendations_import(by=reviewer, file=data, dry_run=False)
    assert report.problems == []
    recommendation = Recommendation.objects.get(reference="F-1")
    assert (recommendation.title, recommendation.text) == ("=1+2 is not a formula", "-dash")


def test_import_race_on_a_reference_is_reported_and_nothing_is_kept(reviewer, monkeypatch):
    from django.db import IntegrityError

    from recommendations.services import imports

    created, original = [], imports.recommendation_create

    def create_then_clash(**fields):
        if created:
            raise IntegrityError("duplicate key value violates unique constraint")
        created.append(original(**fields))
        return created[-1]

    monkeypatch.setattr(imports, "recommendation_create", create_then_clash)
    data = csv_file(line(reference="R-1"), line(reference="R-2"))
    report = recommendations_import(by=reviewer, file=data, dry_run=False)
    assert report.problems == [
        Problem(3, "", "This row was changed in the portal meanwhile: check the file again.")
    ]
    assert (report.created, report.sources_created) == ([], 0)
    assert Recommendation.objects.count() == 0
    assert SourceDocument.objects.count() == 0
