"""The pure parts of `make bench`: reading wrk's output and writing the Markdown table."""

import re
from dataclasses import dataclass

BEGIN = "<!-- bench:begin (written by make bench; edits here are replaced) -->"
END = "<!-- bench:end -->"

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    failed: int  # responses >= 400 plus socket errors
    requests: int


def parse_duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"Not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Reads wrk run with --latency and bench/latency.lua (which adds p95 and the error counts)."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    if not rps:
        raise ValueError("wrk output has no Requests/sec line")
    custom = re.search(r"^GSX-LATENCY-US (\d+) (\d+) (\d+)$", output, re.M)
    if custom:
        p50, p95, p99 = (int(value) / 1000 for value in custom.groups())
    else:
        # Without the script: wrk's own distribution, which has no 95th percentile.
        found = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+(?:us|ms|s|m))$", output, re.M))
        if set(found) != {"50", "99"}:
            raise ValueError("wrk output has no latency distribution (run it with --latency)")
        p50, p99 = parse_duration_ms(found["50"]), parse_duration_ms(found["99"])
        p95 = float("nan")
    errors = re.search(r"^GSX-ERRORS (\d+) (\d+)$", output, re.M)
    if errors:
        failed = int(errors.group(1)) + int(errors.group(2))
    else:
        non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        failed = int(non_2xx.group(1)) if non_2xx else 0
    total = re.search(r"^\s+(\d+) requests in ", output, re.M)
    if not total:
        raise ValueError("wrk output has no request count")
    return WrkResult(float(rps.group(1)), p50, p95, p99, failed, int(total.group(1)))


@dataclass
class Row:
    page: str
    path: str
    result: WrkResult
    hello_rps: float  # the hello-world run just before this page's run
    cpu_ms: float | None  # server CPU (workers + database backends) per request
    queries: int | None
    body_bytes: int | None  # as sent to a client that accepts gzip
    compressed: bool


def _number(value, pattern: str) -> str:
    if value is None or value != value:  # None or NaN
        return "n/a"
    return format(value, pattern)


def render_table(
    rows: list[Row],
    *,
    machine: str,
    date: str,
    commit: str,
    settings: str,
    skipped: list[tuple[str, str]] = (),
) -> str:
    """The Markdown table of ``rows``, and a line naming the ``skipped`` (page, path) pairs: pages
    the portal had no route for when measured."""
    lines = [
        f"Measured {date} on {machine}, commit `{commit}`; {settings}.",
        "",
        "| page | req/s | ratio to hello | CPU ms/req | p50 ms | p95 ms | p99 ms | queries/req "
        "| bytes (gzip asked) | failed |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        ratio = row.result.requests_per_second / row.hello_rps if row.hello_rps else None
        lines.append(
            f"| {row.page} (`{row.path}`) | {row.result.requests_per_second:.1f} "
            f"| {_number(ratio, '.3f')} | {_number(row.cpu_ms, '.2f')} "
            f"| {row.result.p50_ms:.1f} | {_number(row.result.p95_ms, '.1f')} "
            f"| {row.result.p99_ms:.1f} | {_number(row.queries, 'd')} "
            f"| {_number(row.body_bytes, 'd')}{'' if row.compressed else ' (not compressed)'} "
            f"| {row.result.failed} |"
        )
    if skipped:
        names = ", ".join(f"{page} (`{path}`)" for page, path in skipped)
        lines += ["", f"Not measured, no such route in this commit: {names}."]
    return "\n".join(lines) + "\n"


def replace_section(document: str, table: str) -> str:
    """Puts ``table`` between the markers, or appends the marked section when there is none."""
    section = f"{BEGIN}\n{table}{END}"
    start, end = document.find(BEGIN), document.find(END)
    if start != -1 and end > start:
        return document[:start] + section + document[end + len(END) :]
    return document.rstrip("\n") + "\n\n" + section + "\n"
