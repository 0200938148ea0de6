"""A front end built from the API alone, through a client nobody here wrote (issue 14 "Headless").

openapi-python-client (PyPI, requirements-dev.txt) generates a typed package from the served
``/api/v1/openapi.json``; ``tests/front_end/render.py`` renders the manual's pages in Russian only
through that package: no HTTP of its own, no database. The package's requests reach the
application through httpx's WSGI transport, in the test's transaction. A change to the API that
breaks the generated client, or this front end's use of it, fails here: the generation, mypy over
the front end and the generated package, or the rendered pages.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client as DjangoClient

from manual.models import CaseStudyPage, ManualHomePage, ManualSectionPage
from tests.test_api_blocks import make_image_row

ROOT = Path(__file__).resolve().parent.parent
FRONT_END = ROOT / "tests" / "front_end" / "render.py"
BIN = Path(sys.executable).parent
# A fixed package name, whatever the API's title: the front end imports it by this name.
GENERATOR_CONFIG = "package_name_override: manual_client\nproject_name_override: manual-client\n"


def _run(command: list[str], cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def front_end(django_db_blocker, tmp_path_factory) -> Iterator[ModuleType]:
    """The generated client and the front end beside it, type-checked and imported."""
    workdir = tmp_path_factory.mktemp("generated-client")
    with django_db_blocker.unblock():
        answer = DjangoClient().get("/api/v1/openapi.json", secure=True)
    assert answer.status_code == 200
    (workdir / "openapi.json").write_bytes(answer.content)
    (workdir / "config.yml").write_text(GENERATOR_CONFIG)
    _run(
        [str(BIN / "openapi-python-client"), "generate", "--path", "openapi.json", "--config", "config.yml",
         "--meta", "none", "--output-path", "manual_client"],
        workdir,
    )  # fmt: skip
    shutil.copy(FRONT_END, workdir / "render.py")
    _run(
        [str(BIN / "mypy"), "--strict", "--no-incremental", "--cache-dir", str(workdir / ".mypy_cache"),
         "--config-file", "/dev/null", "render.py"],
        workdir,
    )  # fmt: skip
    sys.path.insert(0, str(workdir))
    try:
        yield importlib.import_module("render")
    finally:
        sys.path.remove(str(workdir))
        for name in [name for name in sys.modules if name == "render" or name.startswith("manual_client")]:
            del sys.modules[name]


class InTestTransaction:
    """Django's WSGI application answering inside the test's transaction: as Django's test client
    does, the end of a request does not close the test's database connection."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            result = self.handler(environ, start_response)
            try:
                return [b"".join(result)]
            finally:
                result.close()  # request_finished, as a WSGI server sends it
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api(front_end, db) -> ModuleType:
    """The generated package's client, its requests answered by this test's application."""
    client_module = importlib.import_module("manual_client")
    client = client_module.Client(base_url="https://testserver", raise_on_unexpected_status=True)
    client.set_httpx_client(
        httpx.Client(base_url="https://testserver", transport=httpx.WSGITransport(app=InTestTransaction()))
    )
    return client


def test_home_page_in_russian_renders_from_the_generated_client(front_end, api, ru):
    home = ManualHomePage.objects.live().get(locale=ru)

    html = front_end.render_path(api, "/ru/")

    assert html.startswith('<html lang="ru">')
    assert f"<h1>{home.title}</h1>" in html
    assert "Что такое электронное участие?" in html  # a section of the manual, by its Russian title
    latest = html.split("<section>", 1)[1]
    shown = [case for case in CaseStudyPage.objects.live().filter(locale=ru) if f">{case.title}</a>" in latest]
    assert len(shown) == 5  # five Russian cases, linked by their Russian titles
    assert all(f'href="{case.url}"' in latest for case in shown)


def test_case_in_russian_renders_with_its_labels(front_end, api, ru):
    case = CaseStudyPage.objects.live().get(locale=ru, slug="decide-madrid")

    html = front_end.render_path(api, case.url)

    assert f"<h1>{case.title}</h1>" in html
    assert '<dd data-fact="country">Испания</dd>' in html  # the country's Russian name
    assert case.summary in html
    assert '<section data-part="context">' in html


@pytest.mark.usefixtures("media_files_cleanup")
def test_section_in_russian_renders_its_image_table_and_internal_link(front_end, api, ru):
    section = next(
        page
        for page in ManualSectionPage.objects.live().filter(locale=ru)
        if any(block.block_type == "table" for block in page.body)
    )
    english_case = CaseStudyPage.objects.get(slug="decide-madrid", locale__language_code="en")
    russian_case = english_case.get_translation(ru)
    image = make_image_row("Схема участия", size=(1400, 700))
    section.body = [
        *section.body.raw_data,
        {"type": "image", "value": {"image": image.pk, "alt_text": "Схема", "caption": "Этапы", "credit": "Мэрия"}},
        # Linked by the English page's id, as an editor copying a section often leaves it.
        {"type": "paragraph", "value": f'<p>См. <a linktype="page" id="{english_case.pk}">Мадрид</a>.</p>'},
    ]
    section.save_revision().publish()

    html = front_end.render_path(api, section.url)

    assert f"<h1>{section.title}</h1>" in html
    assert "<table>" in html and '<th scope="col">' in html
    img = html.split("<figure>", 1)[1].split("</figure>", 1)[0]
    assert 'alt="Схема"' in img and "Этапы Мэрия" in img
    srcset = img.split('srcset="', 1)[1].split('"', 1)[0]
    assert [entry.rsplit(" ", 1)[1] for entry in srcset.split(", ")] == ["480w", "800w", "1200w"]
    assert f'<a href="{russian_case.url}">Мадрид</a>' in html, "the link leads to the Russian case"
    assert "linktype" not in html


def test_a_path_without_a_public_page_is_not_found(front_end, api):
    with pytest.raises(front_end.PageNotFound):
        front_end.render_path(api, "/ru/cases/no-such-case/")
