"""manage.py in a child process, with the environment a test gives it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """``manage.py ARGS`` on the production settings module, with ``env`` over this process's environment."""
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "SECURE_HTTPS"}
    }
    base.update({"DJANGO_SETTINGS_MODULE": "site_config.settings", "VAR_DIR": str(ROOT / "var" / "test-env")})
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )
