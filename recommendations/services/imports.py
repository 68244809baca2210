"""The CSV import of sources and recommendations (docs/recommendations.md, "Import").

All or nothing: every row is checked first and every problem reported (line, column, reason);
if there is one, nothing is written. Otherwise every row goes through the catalogue's services
(``source_document_create``/``_update``, ``recommendation_create``/``_update``) in one
transaction; a dry run does the same and rolls it back, so that what it reports is what the
import would do. A row that says what the portal already holds is skipped (no UPDATE, no
history), so importing the same file twice changes nothing the second time.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from recommendations.exchange import (
    COLUMNS,
    MAX_IMPORT_BYTES,
    FileProblem,
    Problem,
    Row,
    parse,
)
from recommendations.models import Recommendation, SourceDocument
from recommendations.rules import may_manage_recommendations
from recommendations.services.catalogue import (
    recommendation_create,
    recommendation_update,
    source_document_create,
    source_document_update,
)
from recommendations.services.import_plan import ImportPlan


@dataclass
class ImportReport:
    dry_run: bool
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    sources_created: int = 0
    sources_updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def applied(self) -> bool:
        return self.ok and not self.dry_run


class _RollBack(Exception):
    pass


def recommendations_import(*, by, file, dry_run: bool) -> ImportReport:
    """Import the CSV ``file`` (bytes, or a binary file object) as ``by`` (the secretariat)."""
    if not may_manage_recommendations(by):
        raise PermissionDenied
    data = file if isinstance(file, bytes) else file.read(MAX_IMPORT_BYTES + 1)
    report = ImportReport(dry_run=dry_run)
    try:
        rows, problems = parse(data)
    except FileProblem as problem:
        report.problems = [Problem(0, "", str(problem))]
        return report
    report.rows = len(rows)
    plan = _Plan(by, rows)
    report.problems = sorted(
        problems + plan.check(rows),
        key=lambda p: (p.line, _column_order(p.column)),
    )
    if report.problems:
        return report
    try:
        with transaction.atomic():
            plan.apply(report)
            if dry_run:
                raise _RollBack
    except _RollBack:
        pass
    except ValidationError as error:
        # A rule only a service knows (checked against the rows as they are being written):
        # reported like the others, and nothing is kept.
        _nothing_done(report, _problems_of(error, plan.line))
    except IntegrityError:
        # Another change reached the same rows between the checks and the writes (a reference
        # created meanwhile): reported, never a 500, and nothing is kept.
        _nothing_done(
            report,
            [
                Problem(
                    plan.line,
                    "",
                    _("This row was changed in the portal meanwhile: check the file again."),
                )
            ],
        )
    return report


def _nothing_done(report: ImportReport, problems: list[Problem]) -> None:
    report.problems = problems
    report.created, report.updated, report.unchanged = [], [], []
    report.sources_created = report.sources_updated = 0


def _column_order(column: str) -> int:
    return COLUMNS.index(column) if column in COLUMNS else -1


def _problems_of(error: ValidationError, line: int) -> list[Problem]:
    if hasattr(error, "error_dict"):
        return [
            Problem(line, name if name != "__all__" else "", message)
            for name, errors in error.message_dict.items()
            for message in errors
        ]
    return [Problem(line, "", message) for message in error.messages]


class _Plan(ImportPlan):
    """The plan, written: sources first, then recommendations, parents before sub-points."""

    # --- Writing ----------------------------------------------------------------------------

    def apply(self, report: ImportReport) -> None:
        sources = {}
        for row in self.rows:
            if row.source_key() not in sources:
                self.line = row.line
                sources[row.source_key()] = self._source(row, report)
        deferred = []
        in_portal = {reference for reference in self.in_file if reference in self.existing}
        for row in self._parents_first():
            self.line = row.line
            reference = row["reference"]
            fields = self._fields(row, sources[row.source_key()])
            repeats = fields.pop("repeats", None)
            if repeats is not None and all(r in self.existing for r in repeats):
                fields["repeats"] = [self.existing[r] for r in repeats]
            elif repeats is not None:
                deferred.append((row, repeats))
            current = self.existing.get(reference)
            if reference not in in_portal:
                created = recommendation_create(by=self.by, **fields)
                self.existing[reference] = created
                report.created.append(reference)
                continue
            fields.pop("reference")
            changed = False
            # Most rows of a re-import say what the portal holds: compared with what was read
            # up front, they cost no query (the service compares again, under its lock).
            if _differs(current, fields):
                _updated, changed = recommendation_update(
                    by=self.by, recommendation=current, **fields
                )
            (report.updated if changed else report.unchanged).append(reference)
        for row, repeats in deferred:
            self.line = row.line
            if reference_set(self.existing[row["reference"]]) == set(repeats):
                continue
            _updated, changed = recommendation_update(
                by=self.by,
                recommendation=self.existing[row["reference"]],
                repeats=[self.existing[r] for r in repeats],
            )
            reference = row["reference"]
            if changed and reference in report.unchanged:
                report.unchanged.remove(reference)
                report.updated.append(reference)

    def _parents_first(self) -> list[Row]:
        ordered, placed = [], set()

        def place(row: Row):
            if row["reference"] in placed:
                return
            placed.add(row["reference"])
            parent = row["parent"] if row.has("parent") else ""
            if parent in self.in_file:
                place(self.in_file[parent])
            ordered.append(row)

        for row in self.rows:
            place(row)
        return ordered

    def _source(self, row: Row, report: ImportReport) -> SourceDocument:
        fields = {"title": row["source_title"], "published_on": row["source_date"]}
        fields["kind"] = row["source_kind"]
        for column, name in (
            ("source_language", "language"),
            ("source_link", "url"),
            ("source_other_publishers", "other_publishers"),
        ):
            if row.has(column):
                fields[name] = row[column]
        publishers = None
        if row.has("source_publishers"):
            publishers = [self.organizations[s] for s in row["source_publishers"]]
        existing = self.sources.get(row.source_key())
        if not existing:
            report.sources_created += 1
            return source_document_create(by=self.by, publishers=publishers or (), **fields)
        source, changed = source_document_update(
            by=self.by, source=existing[0], publishers=publishers, **fields
        )
        report.sources_updated += changed
        return source

    def _fields(self, row: Row, source: SourceDocument) -> dict:
        fields = {"reference": row["reference"], "source": source, "title": row["title"]}
        fields["text"] = row["text"]
        for name in ("section", "position", "addressee_types", "countries", "regions"):
            if row.has(name):
                fields[name] = list(row[name]) if isinstance(row[name], tuple) else row[name]
        if row.has("published"):
            fields["published"] = row["published"]
        if row.has("parent"):
            fields["parent"] = self.existing[row["parent"]] if row["parent"] else None
        if row.has("meeting"):
            fields["meeting"] = self.meetings[row["meeting"]] if row["meeting"] else None
        if row.has("themes"):
            fields["themes"] = [self.themes[s] for s in row["themes"]]
        if row.has("addressed_organizations"):
            fields["addressed_organizations"] = [
                self.organizations[s] for s in row["addressed_organizations"]
            ]
        if row.has("repeats"):
            fields["repeats"] = list(row["repeats"])
        return fields


def reference_set(recommendation: Recommendation) -> set[str]:
    return {r.reference for r in recommendation.repeats.all()}


def _differs(current: Recommendation, fields: dict) -> bool:
    """Whether ``fields`` (as the import gives them) differ from ``current`` as read with its
    prefetches (themes, repeats, responses)."""
    related = {
        "themes": {t.pk for t in current.themes.all()},
        "repeats": {r.pk for r in current.repeats.all()},
        "addressed_organizations": {r.organization_id for r in current.responses.all()},
    }
    for name, value in fields.items():
        if name in related:
            if {o.pk for o in value} != related[name]:
                return True
        elif name in ("source", "parent", "meeting"):
            if getattr(current, f"{name}_id") != (value.pk if value else None):
                return True
        elif getattr(current, name) != value:
            return True
    return False
