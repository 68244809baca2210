"""What an import's rows name, read from the database once, and every check of the rows
against it (``recommendations.services.imports``, which writes them)."""

from django.utils.translation import gettext as _

from dialogues.selectors import meetings_visible_to
from organizations.models import Organization, Theme
from recommendations.exchange import SOURCE_COLUMNS, Problem, Row
from recommendations.models import Recommendation, SourceDocument
from recommendations.services.catalogue import addressees_kept


class ImportPlan:
    """The rows resolved against the database: what exists, what each row names."""

    def __init__(self, by, rows: list[Row]):
        self.by = by
        self.rows = rows
        self.line = 0
        self.in_file = {row["reference"]: row for row in rows if row.has("reference")}

    def _load(self, rows: list[Row]) -> None:
        def names(column):
            return {v for row in rows if row.has(column) for v in row[column]}

        self.themes = {t.slug: t for t in Theme.objects.filter(slug__in=names("themes"))}
        slugs = names("source_publishers") | names("addressed_organizations")
        self.organizations = {o.slug: o for o in Organization.objects.filter(slug__in=slugs)}
        ids = {row["meeting"] for row in rows if row.has("meeting") and row["meeting"]}
        self.meetings = {
            m.public_id: m for m in meetings_visible_to(self.by).filter(public_id__in=ids)
        }
        references = set(self.in_file) | names("repeats")
        references |= {row["parent"] for row in rows if row.has("parent") and row["parent"]}
        self.existing = {
            r.reference: r
            for r in Recommendation.objects.filter(reference__in=references)
            .select_related("source", "parent")
            .prefetch_related("themes", "repeats", "responses")
        }
        titles = {row["source_title"] for row in rows if row.has("source_title")}
        self.sources: dict[tuple, list[SourceDocument]] = {}
        for source in SourceDocument.objects.filter(title__in=titles).prefetch_related(
            "publishers"
        ):
            self.sources.setdefault((source.title, source.published_on), []).append(source)

    # --- Checking ---------------------------------------------------------------------------

    def check(self, rows: list[Row]) -> list[Problem]:
        self._load(rows)
        problems = []
        first_line: dict[str, int] = {}
        source_rows: dict[tuple, Row] = {}
        # A cell that could not be read is left out of the checks below (it is reported).
        for row in rows:
            problems += self._check_names(row)
            if row.has("source_title") and row.has("source_date"):
                problems += self._check_source(row, source_rows)
            if not row.has("reference"):
                continue
            reference = row["reference"]
            if reference in first_line:
                problems.append(
                    Problem(
                        row.line,
                        "reference",
                        _("This reference is also on line %d.") % first_line[reference],
                    )
                )
                continue
            first_line[reference] = row.line
            problems += self._check_links(row)
            problems += self._check_existing(row)
        problems += self._check_circles([row for row in rows if row.has("reference")])
        return problems

    def _check_source(self, row: Row, source_rows: dict) -> list[Problem]:
        key = row.source_key()
        first = source_rows.setdefault(key, row)
        problems = [
            Problem(
                row.line,
                column,
                _("The same source (title and date) says otherwise on line %d.") % first.line,
            )
            for column in SOURCE_COLUMNS
            if first is not row
            and first.has(column)
            and row.has(column)
            and first[column] != row[column]
        ]
        if len(self.sources.get(key, ())) > 1:
            problems.append(
                Problem(
                    row.line,
                    "source_title",
                    _("Several sources have this title and date: give one another title."),
                )
            )
        return problems

    def _unknown(self, row, column, known, message) -> list[Problem]:
        if not row.has(column):
            return []
        missing = [v for v in row[column] if v not in known]
        return [Problem(row.line, column, message % ", ".join(missing))] if missing else []

    def _check_names(self, row: Row) -> list[Problem]:
        problems = self._unknown(row, "themes", self.themes, _("No theme has this code: %s."))
        for column in ("source_publishers", "addressed_organizations"):
            problems += self._unknown(
                row, column, self.organizations, _("No organization has this address: %s.")
            )
        if row.has("meeting") and row["meeting"] and row["meeting"] not in self.meetings:
            problems.append(Problem(row.line, "meeting", _("No meeting has this id.")))
        return problems

    def _exists(self, reference: str) -> bool:
        return reference in self.in_file or reference in self.existing

    def _source_key_of(self, reference: str) -> tuple:
        if reference in self.in_file:
            return self.in_file[reference].source_key()
        source = self.existing[reference].source
        return (source.title, source.published_on)

    def _check_links(self, row: Row) -> list[Problem]:
        problems = []
        parent = row["parent"] if row.has("parent") else ""
        if parent == row["reference"]:
            problems.append(Problem(row.line, "parent", _("A recommendation is not its own part.")))
        elif parent and not self._exists(parent):
            problems.append(
                Problem(
                    row.line,
                    "parent",
                    _("No recommendation has this reference, in the portal or in the file."),
                )
            )
        elif (
            parent
            and row.has("source_title")
            and row.has("source_date")
            and None not in self._source_key_of(parent)
            and self._source_key_of(parent) != row.source_key()
        ):
            problems.append(
                Problem(row.line, "parent", _("A sub-point belongs to the same source."))
            )
        repeats = row["repeats"] if row.has("repeats") else ()
        if row["reference"] in repeats:
            problems.append(
                Problem(row.line, "repeats", _("A recommendation cannot repeat itself."))
            )
        missing = [r for r in repeats if not self._exists(r)]
        if missing:
            problems.append(
                Problem(
                    row.line,
                    "repeats",
                    _("No recommendation has this reference, in the portal or in the file: %s.")
                    % ", ".join(missing),
                )
            )
        return problems

    def _check_existing(self, row: Row) -> list[Problem]:
        current = self.existing.get(row["reference"])
        if current is None:
            return []
        problems = []
        if current.published and row.has("published") and not row["published"]:
            problems.append(
                Problem(row.line, "published", _("A published recommendation stays published."))
            )
        if row.has("addressed_organizations"):
            wanted = set(row["addressed_organizations"])
            removed = [r.organization_id for r in current.responses.all() if r.organization_id]
            gone = Organization.objects.filter(pk__in=removed).exclude(slug__in=wanted)
            kept = addressees_kept(current, list(gone)) if gone else []
            if kept:
                problems.append(
                    Problem(
                        row.line,
                        "addressed_organizations",
                        _("These organizations have responded or reported: they stay: %s.")
                        % ", ".join(o.slug for o in kept),
                    )
                )
        return problems

    def _parent_of(self, reference: str) -> str:
        row = self.in_file.get(reference)
        if row is not None and row.has("parent"):
            return row["parent"]
        current = self.existing.get(reference)
        return current.parent.reference if current and current.parent else ""

    def _check_circles(self, rows: list[Row]) -> list[Problem]:
        """A circle of parents, through the file and the portal (a parent in the portal that is
        not in the file keeps its own parent)."""
        self._fetch_ancestors()
        problems = []
        for row in rows:
            chain, reference = [row["reference"]], self._parent_of(row["reference"])
            while reference and reference not in chain:
                chain.append(reference)
                reference = self._parent_of(reference)
            if reference == row["reference"] and len(chain) > 1:
                problems.append(
                    Problem(
                        row.line,
                        "parent",
                        _("The parents go round in a circle: %s.")
                        % " → ".join([*chain, reference]),
                    )
                )
        return problems

    def _fetch_ancestors(self) -> None:
        # Parents of parents that are in the portal only: one query per level.
        while True:
            wanted = {
                current.parent.reference
                for current in self.existing.values()
                if current.parent is not None
            } - set(self.existing)
            if not wanted:
                return
            for found in Recommendation.objects.filter(reference__in=wanted).select_related(
                "source", "parent"
            ):
                self.existing[found.reference] = found
            if not wanted - set(self.existing):
                continue
            return  # vanished meanwhile: the writes will report it
