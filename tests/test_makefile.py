"""`make run` and the Python the Makefile chooses (issue 7, bug 4). The Makefile and
scripts/find-python are run for real, in dry-run mode or against fake interpreters."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
FIND_PYTHON = ROOT / "scripts" / "find-python"
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _fake(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def _env(folder: Path, **extra) -> dict:
    """PATH holds the fakes in ``folder`` and the few tools the script uses, and no Python: the
    machine's own interpreters must not be found."""
    tools = folder / "tools"
    tools.mkdir(exist_ok=True)
    for tool in ("sh", "ls", "grep", "sort"):
        os.symlink(shutil.which(tool), tools / tool)
    env = {key: value for key, value in os.environ.items() if key not in ("UV_PYTHON", "PYTHON")}
    env.update(PATH=f"{folder}:{tools}", PYENV_ROOT="/nonexistent", HOME="/nonexistent", **extra)
    return env


def test_make_run_points_links_at_the_port_it_serves():
    dry_run = subprocess.run(
        [shutil.which("make"), "-n", "run", "PORT=8123", f"PYTHON={sys.executable}", "UV=uv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    serve = next(line for line in dry_run.splitlines() if "honcho start" in line)
    assert serve.startswith("DEBUG=1 SITE_URL=http://127.0.0.1:8123 BIND=127.0.0.1:8123 ")
    demo = next(line for line in dry_run.splitlines() if "load_demo" in line)
    assert "SITE_URL=http://127.0.0.1:8123 " in demo


def test_find_python_skips_a_shim_that_fails_and_takes_one_that_runs(tmp_path):
    _fake(tmp_path, "python3.13", 'echo "pyenv: python3.13: command not found" >&2; exit 127')
    os.symlink(sys.executable, tmp_path / "python3.12")
    result = subprocess.run([str(FIND_PYTHON)], env=_env(tmp_path), capture_output=True, text=True)
    assert result.returncode == 0
    assert Path(result.stdout.strip()).resolve() == Path(sys.executable).resolve()
    assert result.stderr.startswith("Using Python 3.")
    assert "(python3.12 on PATH)" in result.stderr


def test_find_python_refuses_an_old_python_and_says_what_to_do(tmp_path):
    _fake(tmp_path, "python3.12", "exit 127")
    _fake(tmp_path, "python3", 'echo "Python 3.8 is too old to answer" >&2; exit 1')
    result = subprocess.run(
        [str(FIND_PYTHON)],
        env=_env(tmp_path, UV_PYTHON_DOWNLOADS="never"),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "No Python >= 3.12 that runs was found (tried: python3.12 python3)." in result.stderr
    assert "make install UV_PYTHON_DOWNLOADS=automatic" in result.stderr


def test_find_python_lets_uv_download_one_when_allowed(tmp_path):
    _fake(tmp_path, "python3", "exit 1")
    result = subprocess.run(
        [str(FIND_PYTHON)],
        env=_env(tmp_path, UV_PYTHON_DOWNLOADS="automatic"),
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stdout) == (0, "3.13\n")
    assert "uv will download Python 3.13" in result.stderr


def test_find_python_looks_in_pyenv_versions_newest_first(tmp_path):
    pyenv = tmp_path / "pyenv"
    for version in ("3.11.7", "3.12.1", "3.13.0", "3.14.0-dev"):
        (pyenv / "versions" / version / "bin").mkdir(parents=True)
        os.symlink(sys.executable, pyenv / "versions" / version / "bin" / "python3")
    env = _env(tmp_path)
    env["PYENV_ROOT"] = str(pyenv)
    result = subprocess.run([str(FIND_PYTHON)], env=env, capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout == f"{pyenv}/versions/3.13.0/bin/python3\n"
    assert "(from pyenv)" in result.stderr
