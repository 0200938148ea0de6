"""What a benchmark sets before Django starts: its data folder (``VAR_DIR``) and a throwaway key.

No Django import here: the settings read ``VAR_DIR`` when they are imported.
"""

import os
import secrets
import sys
import tempfile
from pathlib import Path


def prepare(name: str) -> Path:
    """``VAR_DIR``: the folder of ``--data DIR`` (or ``--data=DIR``) on the command line, else a new
    temporary one; with a throwaway SECRET_KEY, plain HTTP and quiet logs unless the caller set them."""
    data = next((arg.split("=", 1)[1] for arg in sys.argv if arg.startswith("--data=")), None)
    if "--data" in sys.argv[:-1]:
        data = sys.argv[sys.argv.index("--data") + 1]
    var = Path(data).resolve() if data else Path(tempfile.mkdtemp(prefix=f"manual-bench-{name}-"))
    var.mkdir(parents=True, exist_ok=True)
    os.environ["VAR_DIR"] = str(var)
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # a throwaway key per run
    os.environ.setdefault("SECURE_HTTPS", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return var
