"""Costly files benchmark (prints figures; not a test): what one submission with hostile or heavy files costs.

    .venv/bin/python bench/costly_files.py                 # every scenario
    .venv/bin/python bench/costly_files.py bomb_png docx_bomb

Each scenario is one POST /api/v1/submissions (multipart, through Django's test client, in a fresh
process so its peak RSS is its own) against a temporary SQLite database with the demo manual, the
rate limit off and the production task backend ("database": the conversion is queued, not run in
the request). Then, for the scenarios that are accepted, the queued conversion is run in that same
process, as `manage.py db_worker` would, and measured too. Printed per line: the HTTP status, wall
time, CPU seconds (the process and its children: sandboxed work runs in a child) and peak RSS.

Scenarios:
- bomb_png: 10 PNGs of 20 000 × 20 000 pixels (400 MP each), about 50 KB each on the wire;
- large_images: 10 large but legal images (5 JPEG, 5 PNG of 6 000 × 6 000 = 36 MP, under the
  40 MP budget), 25 MB in all;
- docx_bomb: a .docx (body_docx) whose document part unpacks to 1 GB of zeros (about 1 MB sent);
- large_docx: a legal .docx of 60 MB of real paragraphs unpacked (about 2 MB sent), for mammoth.
"""

from __future__ import annotations

import io
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("bomb_png", "large_images", "docx_bomb", "large_docx")


def _environment(var: Path) -> None:
    os.environ.setdefault("VAR_DIR", str(var))
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # a throwaway key per run
    os.environ.setdefault("SECURE_HTTPS", "0")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings")
    os.environ.setdefault("STATIC_ROOT", str(var / "static"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var / 'bench.sqlite3'}")
    os.environ["SUBMISSIONS_RATE_LIMIT"] = "0"
    os.environ["TASKS_BACKEND"] = "database"
    os.environ["SEARCH_URL"] = ""


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_mb() -> float:
    """The worker's own peak RSS in MB (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_peak_mb() -> float:
    """The largest peak RSS of a sandbox child (a forked copy: the worker's pages count in it too)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _png_bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000), 0).save(out, "PNG", optimize=True)
    return out.getvalue()


def _large_image(fmt: str, seed: int) -> bytes:
    """A 36 MP photo-like image (gradients and shapes) that compresses to about 2.5 MB."""
    side = 6000
    red = Image.linear_gradient("L").resize((side, side))
    green = red.rotate(90 + seed)
    blue = Image.radial_gradient("L").resize((side, side))
    image = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(image)
    for i in range(40):
        x, y = (i * 977 + seed * 131) % side, (i * 593 + seed * 71) % side
        draw.ellipse((x, y, x + 400, y + 300), fill=((i * 37) % 256, (i * 91) % 256, (seed * 53) % 256))
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=70)
    else:
        image.quantize(16).save(out, "PNG")
    return out.getvalue()


def _docx(document_xml_parts) -> bytes:
    content_types = (
        '<Types><Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for part in document_xml_parts:
                member.write(part)
    return out.getvalue()


def _docx_bomb() -> bytes:
    return _docx(b"\0" * 2**20 for _ in range(1024))


def _large_docx() -> bytes:
    namespace = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

    def parts():
        yield f"<w:document {namespace}><w:body>".encode()
        written, i = 0, 0
        while written < 60 * 2**20:
            paragraph = (
                f"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Paragraph {i}: residents proposed {i * 7 % 1000} projects "
                f"and {i * 13 % 5000} people voted in district {i % 17}.</w:t></w:r></w:p>"
            ).encode()
            written += len(paragraph)
            i += 1
            yield paragraph
        yield b"</w:body></w:document>"

    return _docx(parts())


def _files(scenario: str) -> tuple[list[tuple[str, bytes]], dict[str, tuple[str, bytes]]]:
    """(attachments, other file parts) of the scenario."""
    if scenario == "bomb_png":
        bomb = _png_bomb()
        return [(f"bomb-{i}.png", bomb) for i in range(10)], {}
    if scenario == "large_images":
        return [(f"photo-{i}.jpg", _large_image("JPEG", i)) for i in range(5)] + [
            (f"plan-{i}.png", _large_image("PNG", i)) for i in range(5)
        ], {}
    if scenario == "docx_bomb":
        return [], {"body_docx": ("case.docx", _docx_bomb())}
    if scenario == "large_docx":
        return [], {"body_docx": ("case.docx", _large_docx())}
    raise SystemExit(f"unknown scenario {scenario!r}; one of {', '.join(SCENARIOS)}")


def run_scenario(scenario: str) -> None:
    """In a fresh process: build the files, then measure one request and the conversion it queued."""
    # Imported here, in the scenario's own process: the project on the path and Django set up first.
    sys.path.insert(0, str(ROOT))
    import django  # noqa: PLC0415

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    from tests.support.submissions import URL, valid_payload  # noqa: PLC0415

    folder = Path(os.environ["VAR_DIR"]) / "files" / scenario
    attachments = [(path.name, path.read_bytes()) for path in sorted((folder / "attachments").iterdir())]
    others = {path.name: (f"{path.name}.docx", path.read_bytes()) for path in sorted((folder / "parts").iterdir())}
    sent = sum(len(content) for _, content in attachments) + sum(len(c) for _, c in others.values())
    data = {
        "data": json.dumps(valid_payload(title=f"Costly files: {scenario}")),
        "attachments": [SimpleUploadedFile(name, content) for name, content in attachments],
        **{part: SimpleUploadedFile(name, content) for part, (name, content) in others.items()},
    }
    del attachments, others
    client = Client(HTTP_HOST="localhost")
    baseline = _peak_mb()
    cpu, wall = _cpu(), time.perf_counter()
    response = client.post(URL, data=data)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    body = response.json()
    codes = sorted({f"{e['field']}:{e['code']}" for e in body.get("errors", [])})
    print(
        f"{scenario:<13} request     {response.status_code}  wall {wall:6.2f} s  cpu {cpu:6.2f} s  "
        f"peak RSS {max(_peak_mb(), _child_peak_mb()):6.0f} MB (after setup {baseline:.0f} MB)  "
        f"sent {sent / 2**20:5.1f} MB  "
        f"{' '.join(codes)[:90]}",
        flush=True,
    )
    if response.status_code != 201:
        return
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415 - a model: after django.setup() above

    cpu, wall = _cpu(), time.perf_counter()
    for result in DBTaskResult.objects.ready().filter(task_path__endswith="convert_submission_task"):
        result.task.func(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    print(
        f"{scenario:<13} conversion       wall {wall:6.2f} s  cpu {cpu:6.2f} s  peak RSS {_peak_mb():6.0f} MB  "
        f"sandbox child peak RSS {_child_peak_mb():.0f} MB",
        flush=True,
    )


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] == "--scenario":
        run_scenario(args[1])
        return
    if args and args[0] == "--make":
        make_files(args[1], Path(args[2]))
        return
    scenarios = args or list(SCENARIOS)
    var = Path(tempfile.mkdtemp(prefix="manual-bench-costly-"))
    _environment(var)
    setup = (
        "import django; django.setup(); from django.core.management import call_command as c; "
        "c('migrate', verbosity=0); c('load_demo_manual', stdout=open('/dev/null', 'w'))"
    )
    subprocess.run([sys.executable, "-c", setup], cwd=ROOT, check=True)  # noqa: S603 - our own code
    print(f"one POST /api/v1/submissions per scenario, each in a fresh process; database {var}")
    sys.path.insert(0, str(ROOT))
    for scenario in scenarios:
        # Made in a process of their own: Linux carries a process's peak RSS over fork and exec, so
        # neither this one nor the scenario's may have held them.
        subprocess.run([sys.executable, __file__, "--make", scenario, str(var)], cwd=ROOT, check=True)  # noqa: S603
        subprocess.run([sys.executable, __file__, "--scenario", scenario], cwd=ROOT, check=False)  # noqa: S603


def make_files(scenario: str, var: Path) -> None:
    attachments, others = _files(scenario)
    folder = var / "files" / scenario
    (folder / "attachments").mkdir(parents=True)
    (folder / "parts").mkdir()
    for i, (name, content) in enumerate(attachments):
        (folder / "attachments" / f"{i:02d}-{name}").write_bytes(content)
    for part, (_name, content) in others.items():
        (folder / "parts" / part).write_bytes(content)


if __name__ == "__main__":
    main()
