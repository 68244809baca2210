"""`make bench`: serves the portal as production does and measures each page against hello world.

gunicorn is started from the Procfile's `web` line (2 sync workers, DEBUG off, behind a TLS proxy:
every request carries X-Forwarded-Proto: https) against BENCH_DATABASE_URL, with GSX_BENCH=1 so
the hello-world view and the query-count header exist. Each page's wrk run follows a hello-world
run, so the ratio compares neighbours in time on a shared machine. Server CPU per request is read
from /proc (gunicorn workers plus the bench database's backends), the steadier figure when other
work shares the cores. The table replaces the marked section of docs/performance.md.

Searches are measured with one client (one wrk connection and thread), as their budget is set;
every other page with BENCH_CONNECTIONS.

Environment: BENCH_DATABASE_URL, BENCH_SECONDS (10), BENCH_CONNECTIONS (4), BENCH_THREADS (2),
BENCH_USER_EMAIL (a member to sign in as; default: the first member found), REDIS_URL,
BENCH_PAGES (comma-separated words: only the pages whose name contains one, e.g. "search,API"),
BENCH_REPORT (the file whose marked section is replaced; default docs/performance.md).
"""

import gzip
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import Row, parse_wrk, render_table, replace_section  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROXY = {"X-Forwarded-Proto": "https"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        GSX_BENCH="1",
        BEHIND_TLS_PROXY="1",
        DATABASE_URL=database_url,
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"),
        # The host clients use, as in production: shared API answers are kept for it alone.
        SITE_URL=f"https://127.0.0.1:{port}",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        # The bench measures the views, not the throttle, which would answer 429 once a token
        # passed its 600 requests a minute. Per second, so that the throttle's log of recent
        # requests (one timestamp per request in the window) stays as short as in production.
        API_THROTTLE_RATE="1000000/s",
        API_ANON_THROTTLE_RATE="1000000/s",
    )
    return env


def procfile_web() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.removeprefix("web:").strip()
    raise SystemExit("The Procfile has no web line.")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def server_pids(master: int, database: str) -> list[int]:
    """gunicorn's workers and the PostgreSQL backends connected to the bench database."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        # A backend's title: "postgres: 15/main: <user> <database> 127.0.0.1(port) idle".
        if parent == master or (cmdline.startswith("postgres:") and f" {database} " in cmdline):
            pids.append(int(entry.name))
    return pids


def cpu_snapshot(master: int, database: str) -> dict[int, float]:
    return {pid: cpu_seconds(pid) for pid in server_pids(master, database)}


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    # Processes that appeared count whole; those that ended lose their last share (rare: the
    # workers and their pooled connections live through the run).
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def fetch(port: int, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={**PROXY, **headers})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped while starting: see the log above.")
        try:
            if fetch(port, "/bench/hello/", {}).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /bench/hello/ within 60 s.")


def clients() -> tuple[int, int]:
    """(connections, threads) of every run but the one-client searches."""
    connections = int(os.environ.get("BENCH_CONNECTIONS", "4"))
    return connections, min(int(os.environ.get("BENCH_THREADS", "2")), connections)


def wrk(
    port: int, path: str, headers: dict[str, str], seconds: int, one_client: bool = False
) -> str:
    connections, threads = (1, 1) if one_client else clients()
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=30s",
        "--latency",
        f"--script={ROOT / 'bench' / 'latency.lua'}",
    ]
    for name, value in {**PROXY, **headers}.items():
        command += ["--header", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def pages(data: dict) -> list[tuple[str, str, dict[str, str]]]:
    cookie = {"Cookie": data["session_cookie"]}
    token = {"Authorization": f"Bearer {data['token']}", "Accept": "application/json"}
    filtered = f"/organizations/?sector={data['sector']}&country={data['country']}"
    searches = ["peace", "médiatrices", "السلام", "peac", "paece"]
    meeting = f"/meetings/{data['meeting']}/"
    timeline = f"/timeline/{data['year']}/"
    # In the list's canonical order (parameters sorted by name): any other order is redirected.
    faceted = f"/recommendations/?addressee_type=governments&theme={data['theme']}"
    words = data["recommendation_words"].values()
    return [
        ("home", "/", {}),
        ("directory, anonymous", "/organizations/", {}),
        ("directory filtered, anonymous", filtered, {}),
        ("directory, signed in", "/organizations/", cookie),
        ("organization detail", f"/organizations/{data['slug']}/", {}),
        ("API list (token)", "/api/v1/organizations/", token),
        ("API detail (token)", f"/api/v1/organizations/{data['public_id']}/", token),
        *[(f"search “{word}”", f"/organizations/?q={quote(word)}", {}) for word in searches],
        ("meetings list, anonymous", "/meetings/", {}),
        ("meetings list, signed in", "/meetings/", cookie),
        ("meeting page, anonymous", meeting, {}),
        ("meeting page, signed in", meeting, cookie),
        ("timeline, anonymous", timeline, {}),
        ("timeline, signed in", timeline, cookie),
        ("API meetings list (token)", "/api/v1/meetings/", token),
        ("recommendations, two facets, anonymous", faceted, {}),
        ("recommendations, two facets, signed in", faceted, cookie),
        *[
            (f"search recommendations “{word}”", f"/recommendations/?q={quote(word)}", {})
            for word in words
        ],
        ("recommendation detail, anonymous", f"/recommendations/{data['recommendation']}/", {}),
        ("recommendations dashboard, anonymous", "/recommendations/dashboard/", {}),
        ("API recommendations list (token)", "/api/v1/recommendations/", token),
    ]


def without_missing_routes(chosen, missing):
    """The pages to measure, and those whose route the portal does not have (yet): measured
    where it exists, named as not measured where it does not, rather than stopping the run."""
    absent = set(missing)
    kept = [page for page in chosen if page[1].split("?")[0] not in absent]
    skipped = [(page, path) for page, path, _headers in chosen if path.split("?")[0] in absent]
    return kept, skipped


def selected(all_pages, wanted: str):
    """The pages whose name contains one of the comma-separated words of ``wanted``."""
    words = [word.strip().lower() for word in wanted.split(",") if word.strip()]
    if not words:
        return all_pages
    return [page for page in all_pages if any(word in page[0].lower() for word in words)]


def is_search(page: str) -> bool:
    return page.startswith("search")


def check_page(
    port: int, page: str, path: str, headers: dict[str, str]
) -> http.client.HTTPResponse:
    """Each page must answer 200 as what it claims to be before it is timed."""
    response = fetch(port, path, {**headers, "Accept-Encoding": "gzip"})
    if response.status != 200:
        raise SystemExit(f"{page}: {path} answered {response.status}, not 200; nothing measured.")
    body = response.body
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    if "Cookie" in headers and b"/accounts/logout/" not in body:
        raise SystemExit(f"{page}: the session cookie did not sign in.")
    return response


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    database_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gsx_bench"
    )
    database = urlsplit(database_url).path.lstrip("/")
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    port = free_port()
    env = server_env(database_url, port)
    python = sys.executable
    # The dataset may predate the code's latest migrations (it takes minutes to fill): bring
    # its schema up to date first, as a deploy would. The dataset stays as it is.
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [python, "manage.py", *command, "--verbosity", "0"], cwd=ROOT, env=env, check=True
        )
    prepared = subprocess.run(
        [python, str(ROOT / "bench" / "prepare.py")],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    data = json.loads(prepared.stdout.strip().splitlines()[-1])
    print(
        f"Bench database {database}: {data['organizations']} organizations, "
        f"{data['meetings']} meetings, {data['recommendations']} recommendations."
    )
    print(f"Signed in as {data['user']}.")

    log = open(ROOT / "bench" / "gunicorn.log", "w")  # noqa: SIM115 (lives as long as the server)
    server = subprocess.Popen(
        ["sh", "-c", f"exec {procfile_web()}"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    rows = []
    chosen, skipped = without_missing_routes(
        selected(pages(data), os.environ.get("BENCH_PAGES", "")), data.get("missing", [])
    )
    for page, path in skipped:
        print(f"{page}: not measured, the portal has no route {path} in this commit.")
    try:
        wait_until_up(port, server)
        for page, path, headers in chosen:
            one_client = is_search(page)
            check_page(port, page, path, headers)  # also warms the worker that answers
            response = check_page(port, page, path, headers)
            hello = parse_wrk(wrk(port, "/bench/hello/", {}, seconds, one_client))
            before = cpu_snapshot(server.pid, database)
            result = parse_wrk(wrk(port, path, headers, seconds, one_client))
            after = cpu_snapshot(server.pid, database)
            cpu_ms = cpu_used(before, after) * 1000 / result.requests if result.requests else None
            queries = response.headers.get("X-Query-Count")
            rows.append(
                Row(
                    page=page,
                    path=path,
                    result=result,
                    hello_rps=hello.requests_per_second,
                    cpu_ms=cpu_ms,
                    queries=int(queries) if queries is not None else None,
                    body_bytes=len(response.body),
                    compressed=response.headers.get("Content-Encoding") == "gzip",
                )
            )
            rates = f"{result.requests_per_second:.1f} req/s, hello {hello.requests_per_second:.1f}"
            print(f"{page}: {rates}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()

    commit = (
        subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        or "unknown"
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    machine = f"{platform.node()} ({os.cpu_count()} cores, {platform.machine()})"
    table = render_table(
        rows,
        machine=machine,
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        commit=commit + (" with local changes" if dirty.strip() else ""),
        settings=(
            f"{data['organizations']} organizations, gunicorn 2 sync workers, DEBUG off, "
            f"wrk {seconds} s x {clients()[0]} connections per page (searches: 1 connection, "
            "against a one-connection hello-world run)"
        ),
        skipped=skipped,
    )
    performance = Path(os.environ.get("BENCH_REPORT") or ROOT / "docs" / "performance.md")
    performance.write_text(replace_section(performance.read_text(), table))
    print(table)


if __name__ == "__main__":
    main()
