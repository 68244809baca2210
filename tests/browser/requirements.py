"""What the browser test set needs, found once: Debian's chromium and axe-core from npm.

Imported by tests/conftest.py for the pytest report header, so it must stay free of Django and
Playwright imports (the header is printed before Django is set up).
"""

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
INSTALL_HINT = "sudo apt-get install -y chromium && npm ci --no-audit --no-fund"


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).is_file() else None
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


@cache
def chromium_version(path: str) -> str:
    # Debian's wrapper prints "Chromium 142.0.… built on Debian …".
    try:
        output = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown version"
    words = output.split()
    return words[1] if len(words) > 1 else "unknown version"


def axe_version() -> str:
    package = AXE_PATH.parent / "package.json"
    try:
        return json.loads(package.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "unknown version"


def playwright_installed() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return True


def missing() -> str | None:
    """Why the set cannot run here, or None when it can."""
    if chromium_path() is None:
        where = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
        return f"no chromium at {where} (set CHROMIUM_PATH, or install it: {INSTALL_HINT})"
    if not AXE_PATH.is_file():
        return f"no {AXE_PATH.relative_to(ROOT)} (install it: npm ci --no-audit --no-fund)"
    if not playwright_installed():
        return "the playwright package is missing (install it: make install)"
    return None


def report_header() -> str:
    reason = missing()
    if reason:
        return f"browser tests: SKIPPED, {reason}"
    path = chromium_path()
    return f"browser tests: chromium {chromium_version(path)} ({path}), axe-core {axe_version()}"
