"""The leak matrix (issue "The review promise holds: nothing unreviewed is ever public").

Every action that creates or changes content (ACTIONS) is checked against every anonymous surface
(SURFACES): text the action made that nobody reviewed (a random marker) must not show, files of
submissions in review must answer 404/403, and reviewed content (a demo case, in each locale, plus
what the action left reviewed) must show, so that a surface showing nothing cannot pass. A new
action or surface is one row; a cell that still leaks is one entry of KNOWN_LEAKS.

Search surfaces run on the database driver and, when the run has one, on the engine (with a
private index prefix: the actions publish pages, which must not stay in the shared test index).
Besides the API, robots.txt, the sitemap (its index and every part) and the reader pages, the open
data: the dumps (exported after the action, as a refresh would), the Atom feeds and the data page.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from opensearchpy import OpenSearch
from wagtail.documents import get_document_model
from wagtail.models import Locale, Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation
from wagtail_localize.operations import TranslationCreator

from manual.models import CaseStudyPage, ManualSectionPage, Topic
from opendata.services.dumps import FORMATS, export_cases
from search import services as search_services
from submissions.models import Submission, SubmissionAttachment
from submissions.services import review as review_service
from submissions.services.personal_data.erase import erase
from tests.support.mail import edit_link, sent_to
from tests.support.samples import make_image, make_pdf
from tests.support.search import engine_url
from tests.support.submissions import form_data, post_multipart, valid_payload
from tests.support.translations import (
    NEW_SUMMARY,
    RUSSIAN,
    approve,
    fill_po,
    live_alias_case,
    submit_url,
    translate_in_admin,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_files_cleanup")]

# Reviewed and published in the demo manual: must show on every surface that lists it.
REVIEWED_SLUG = "decide-madrid"
REVIEWED = ["Decide Madrid: the city", "Decide Madrid: открытый портал участия"]


def marker() -> str:
    return f"lkm{uuid.uuid4().hex[:10]}"


@dataclass
class Marks:
    hidden: list[str]  # unreviewed text: on no public surface
    files: list[str] = field(default_factory=list)  # URLs of unreviewed files: 404/403
    keys: list = field(default_factory=list)  # translation keys of pages touched: read in every locale
    shown: list[str] = field(default_factory=list)  # reviewed text, besides REVIEWED, that must show


@dataclass
class Env:
    """What an action needs: the test client, users, locales, a pytest capture of on-commit callbacks."""

    client: object
    editor: object
    moderator: object
    translator: object
    en: Locale
    ru: Locale
    capture: object
    tmp_path: object

    def as_user(self, user, method: str, url: str, data=None, status=(302,)):
        self.client.force_login(user)
        with self.capture(execute=True):
            response = getattr(self.client, method)(url, data or {})
        self.client.logout()
        assert response.status_code in status, (url, response.status_code)
        return response


# --- actions: each does what a real user does, and says what must (not) show afterwards ------------


def submission_files(submission: Submission) -> list[str]:
    urls = []
    for attachment in SubmissionAttachment.objects.filter(submission=submission):
        if attachment.image:
            urls += [attachment.image.file.url, attachment.image.get_rendition("fill-100x100").url]
        if attachment.document:
            urls.append(attachment.document.url)
    return urls


def api_submission(env: Env, mark: str, **overrides) -> Submission:
    fields = {"title": f"Budget {mark}", "summary": f"Summary {mark}.", "hero_attachment": 1, **overrides}
    payload = valid_payload(**fields)
    files = [("report.pdf", make_pdf()), ("hero.png", make_image("PNG", (160, 90)))]
    with env.capture(execute=True):
        response = post_multipart(env.client, payload, files)
    assert response.status_code == 201, response.content
    return Submission.objects.get(pk=response.json()["id"])


def page_key(submission: Submission):
    return Page.objects.get(pk=submission.page_id).translation_key


def submit_by_api(env: Env) -> Marks:
    mark = marker()
    submission = api_submission(env, mark)
    return Marks([mark], submission_files(submission), [page_key(submission)])


def submit_by_form(env: Env) -> Marks:
    mark = marker()
    data = form_data(title=f"Budget {mark}", summary=f"Summary {mark}.", hero_first="on")
    data["attachments"] = [ContentFile(make_image(), name="hero.png"), ContentFile(make_pdf(), name="report.pdf")]
    with env.capture(execute=True):
        response = env.client.post("/en/submit/", data)
    assert response.status_code == 303, response.content.decode()[:2000]
    submission = Submission.objects.get(payload__title=f"Budget {mark}")
    return Marks([mark], submission_files(submission), [page_key(submission)])


def resubmit(env: Env) -> Marks:
    first, second = marker(), marker()
    submission = api_submission(env, first)
    with env.capture(execute=True):
        review_service.request_changes(submission, "Add the results.", env.moderator)
    _path, token = edit_link(sent_to("mari@example.org")[-1])  # the link is mailed to the submitter only
    with env.capture(execute=True):
        response = env.client.put(
            f"/api/v1/submissions/{submission.pk}?token={token}",
            json.dumps(valid_payload(title=f"Budget {second}", summary=f"Summary {second}.")),
            content_type="application/json",
        )
    assert response.status_code == 200, response.content
    assert second in Page.objects.get(pk=submission.page_id).get_latest_revision_as_object().title
    return Marks([first, second], submission_files(submission), [page_key(submission)])


def import_without_publish(env: Env) -> Marks:
    mark = marker()
    (env.tmp_path / "hero.png").write_bytes(make_image())
    item = valid_payload(title=f"Imported {mark}", summary=f"Summary {mark}.", hero_attachment=0)
    item.update(external_id=f"leak-{mark}", attachments=["hero.png"])
    path = env.tmp_path / "cases.json"
    path.write_text(json.dumps([item]), encoding="utf-8")
    with env.capture(execute=True):
        call_command("import_cases", str(path), stdout=io.StringIO())
    submission = Submission.objects.get(payload__title=f"Imported {mark}")
    assert not Page.objects.get(pk=submission.page_id).live
    return Marks([mark], submission_files(submission), [page_key(submission)])


def new_source(env: Env, slug: str) -> CaseStudyPage:
    with env.capture(execute=True):
        return live_alias_case(env.ru, f"{slug}-{uuid.uuid4().hex[:6]}")


def start_translation(env: Env) -> Marks:
    """The source has an unpublished English draft: starting the translation must not publish it."""
    mark = marker()
    source = new_source(env, "leak-start")
    source.summary = f"Draft {mark}"
    source.save_revision(user=env.editor)
    translate_in_admin(env.client, env.editor, source, env.ru, env.capture)
    return Marks([mark], keys=[source.translation_key], shown=[source.title])


def translated_strings(env: Env, submit: bool = False) -> Marks:
    mark = marker()
    source = new_source(env, "leak-strings")
    translate_in_admin(env.client, env.editor, source, env.ru, env.capture)
    translation = Translation.objects.get(source__object_id=source.translation_key, target_locale=env.ru)
    marked = {english: f"{russian} {mark}" for english, russian in RUSSIAN.items()}
    translation.import_po(fill_po(translation, marked), user=env.translator)
    if submit:
        env.as_user(env.translator, "post", submit_url(translation))
        assert Page.objects.get(translation_key=source.translation_key, locale=env.ru).workflow_in_progress
    return Marks([mark], keys=[source.translation_key], shown=[source.title])


def save_translated_strings(env: Env) -> Marks:
    return translated_strings(env)


def submit_translation_for_review(env: Env) -> Marks:
    return translated_strings(env, submit=True)


def reviewed_case(env: Env, locale: Locale) -> CaseStudyPage:
    return CaseStudyPage.objects.get(slug=REVIEWED_SLUG, locale=locale)


def draft_of_live_case(env: Env) -> Marks:
    mark = marker()
    page = reviewed_case(env, env.en)
    page.title, page.summary = f"Draft title {mark}", f"Draft summary {mark}"
    with env.capture(execute=True):
        page.save_revision(user=env.editor)
    return Marks([mark], keys=[page.translation_key])


def sync_from_source(env: Env) -> Marks:
    """A reviewed translation; the source changes; the translator saves the new string (unreviewed);
    an editor syncs with "Publish immediately" forced into the request."""
    mark = marker()
    source = new_source(env, "leak-sync")
    translate_in_admin(env.client, env.editor, source, env.ru, env.capture)
    translation = Translation.objects.get(source__object_id=source.translation_key, target_locale=env.ru)
    translation.import_po(fill_po(translation, RUSSIAN), user=env.translator)
    env.as_user(env.translator, "post", submit_url(translation))
    with env.capture(execute=True):
        approve(env.client, env.moderator, Page.objects.get(translation_key=source.translation_key, locale=env.ru))
    source.summary = NEW_SUMMARY
    with env.capture(execute=True):
        source.save_revision(user=env.editor).publish()
    translation = Translation.objects.get(pk=translation.pk)
    translation.import_po(fill_po(translation, {NEW_SUMMARY: f"Жители {mark}"}), user=env.translator)
    url = reverse("wagtail_localize:update_translations", args=[translation.source.pk])
    env.as_user(env.editor, "post", url, {"publish_translations": "on"})
    assert StringTranslation.objects.filter(data__contains=mark).exists(), "the string was saved"
    return Marks([mark], keys=[source.translation_key], shown=[RUSSIAN[source.title]])


def convert_to_alias(env: Env) -> Marks:
    """A translator asks to replace the reviewed Russian case by an alias: refused, or nothing changes."""
    page = reviewed_case(env, env.ru)
    url = reverse("wagtail_localize:convert_to_alias", args=[page.pk])
    env.as_user(env.translator, "post", url, {}, status=(302, 403))
    return Marks([], keys=[page.translation_key])


def taxonomy_label_edit(env: Env) -> Marks:
    mark = marker()
    term = Topic.objects.get(locale=env.ru, code="transparency")
    url = reverse(Topic.snippet_viewset.get_url_name("edit"), args=[term.pk])
    data = {"code": term.code, "label": f"Label {mark}", "description": term.description, "sort_order": 5}
    env.as_user(env.translator, "post", url, data, status=(200, 302, 403))
    return Marks([mark], keys=[reviewed_case(env, env.en).translation_key])


def term_translation(env: Env) -> Marks:
    """A translator translates a term in wagtail-localize's translation editor and presses Publish."""
    mark = marker()
    # The English term is public (an editor made it); only the translator's label must not be.
    term = Topic.objects.create(locale=env.en, code=f"term-{uuid.uuid4().hex[:8]}", label="Matrix term", sort_order=95)
    TranslationCreator(env.editor, [env.ru]).create_translations(term)
    translation = Translation.objects.get(source__object_id=term.translation_key, target_locale=env.ru)
    target = Topic.objects.get(locale=env.ru, translation_key=term.translation_key)
    segment = StringSegment.objects.get(source=translation.source, context__path="label")
    string_url = reverse("wagtail_localize:edit_string_translation", args=[translation.pk, segment.pk])
    env.client.force_login(env.translator)
    response = env.client.put(string_url, f"value=Term+{mark}", content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 201)
    env.client.logout()
    url = reverse(Topic.snippet_viewset.get_url_name("edit"), args=[target.pk])
    env.as_user(env.translator, "post", url, {"action": "publish"}, status=(302,))
    return Marks([mark], keys=[reviewed_case(env, env.en).translation_key])


def rejection(env: Env) -> Marks:
    mark = marker()
    submission = api_submission(env, mark)
    files = submission_files(submission)
    with env.capture(execute=True):
        review_service.reject_submission(submission, "Not an eParticipation initiative.", env.moderator)
    assert not Page.objects.get(pk=submission.page_id).live
    return Marks([mark], files, [page_key(submission)])


def erasure(env: Env) -> Marks:
    """One person: a published case naming them, and a submission in review; both erased."""
    name, mark = marker(), marker()
    contact = {"name": f"Mari {name}", "email": "erase-me@example.org", "organisation": "Tartu", "role": "Officer"}
    published = api_submission(env, "published", contact=contact, title=f"Published {marker()}")
    with env.capture(execute=True):
        approve(env.client, env.moderator, Page.objects.get(pk=published.page_id))
    env.client.logout()
    page = CaseStudyPage.objects.get(pk=published.page_id)
    title = page.title
    assert page.live and name in env.client.get(page.url).content.decode(), "public with consent, until erased"
    pending = api_submission(env, mark, contact=contact)
    files = submission_files(pending)
    with env.capture(execute=True):
        erase("erase-me@example.org")
    return Marks([name, mark], files, [page_key(published), page_key(pending)], shown=[title])


ACTIONS = [
    ("public submission (API, image+document)", submit_by_api),
    ("public submission (form, image+document)", submit_by_form),
    ("resubmission (API)", resubmit),
    ("import without --publish", import_without_publish),
    ("start of a translation", start_translation),
    ("saving translated strings", save_translated_strings),
    ("submitting a translation for review", submit_translation_for_review),
    ("sync from the source", sync_from_source),
    ("convert to alias (translator)", convert_to_alias),
    ("taxonomy label edit (translator)", taxonomy_label_edit),
    ("term translation published by a translator", term_translation),
    ("draft revision of a live case", draft_of_live_case),
    ("rejection", rejection),
    ("erasure", erasure),
]


# --- surfaces: what an anonymous visitor can fetch --------------------------------------------------

LOCALES = ["en", "ru"]


def text(response) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def get_all(client, urls, part=lambda body: body) -> str:
    """The bodies of the answers that show something (200). A 404 page echoes the address asked for
    (language links), and a submission's address holds its marker through the slug."""
    responses = [client.get(url) for url in urls]
    return "\n".join(part(text(response)) for response in responses if response.status_code == 200)


def pages_of(marks: Marks):
    keys = [*marks.keys, CaseStudyPage.objects.get(slug=REVIEWED_SLUG, locale__language_code="en").translation_key]
    return Page.objects.filter(translation_key__in=keys).specific()


def reader_pages(client, marks: Marks) -> str:
    lists = [f"/{code}/{path}" for code in LOCALES for path in ("", "cases/")]
    return get_all(client, [*lists, *[page.url for page in pages_of(marks)]])


def reader_map(client, marks: Marks) -> str:
    return get_all(client, [f"/{code}/map/" for code in LOCALES])


def api_cases(client, marks: Marks) -> str:
    # Filtered by a case fact too (every mode: the reviewed demo case is one of them).
    modes = "&".join(f"participation_mode={mode}" for mode in ("online", "in_person", "hybrid"))
    return get_all(client, [f"/api/v1/cases?locale={c}&page_size=100&fallback={f}" for c in LOCALES for f in (0, 1)] +
                   [f"/api/v1/cases?locale={c}&page_size=100&fallback=1&{modes}" for c in LOCALES])  # fmt: skip


def api_case_details(client, marks: Marks) -> str:
    ids = [page.pk for page in pages_of(marks)]
    return get_all(client, [f"/api/v1/cases/{pk}?locale={c}&fallback=1" for pk in ids for c in LOCALES] +
                   [f"/api/v1/cases/{pk}" for pk in ids])  # fmt: skip


def api_find(client, marks: Marks) -> str:
    """Every version (draft, alias, stand-in, in review or public) of the pages touched, by its path."""
    paths = [page.url for page in pages_of(marks) if page.url]
    return get_all(client, [f"/api/v1/pages/find?path={path}" for path in paths])


def api_pages(client, marks: Marks) -> str:
    """Every locale's pages (with and without fallback) and the children of every version of the pages touched."""
    lists = [f"/api/v1/pages?locale={c}&page_size=100&fallback={f}" for c in LOCALES for f in (0, 1)]
    return get_all(client, [*lists, *[f"/api/v1/pages?child_of={page.pk}" for page in pages_of(marks)]])


def api_sections_and_taxonomies(client, marks: Marks) -> str:
    kinds = ("topics", "tools", "stages", "participation-levels", "government-levels")
    return get_all(client, [f"/api/v1/sections?locale={c}&fallback=1" for c in LOCALES] +
                   [f"/api/v1/sections?child_of={page.pk}&fallback=1" for page in pages_of(marks)] +
                   [f"/api/v1/taxonomies/{k}?locale={c}" for k in kinds for c in LOCALES])  # fmt: skip


def queries(marks: Marks) -> list[str]:
    # The Russian words go through the glossary into English with fallback=1 (docs/search.md "Glossary").
    return [*marks.hidden, "Decide Madrid", "партисипаторное бюджетирование", *marks.shown]


def api_search(client, marks: Marks) -> str:
    urls = []
    for code in LOCALES:
        for q in queries(marks):
            urls += [f"/api/v1/search?q={q}&locale={code}&fallback=1", f"/api/v1/search?q={q}&locale={code}"]
    return get_all(client, urls)


def api_suggest(client, marks: Marks) -> str:
    return get_all(client, [f"/api/v1/search/suggest?q={q}&locale={c}" for c in LOCALES for q in queries(marks)])


def reader_search(client, marks: Marks) -> str:
    # The results only: the page repeats the words asked for in its title and search box.
    def results(html: str) -> str:
        listed = "".join(part.split("</ol>")[0] for part in html.split('<ol class="results"')[1:])
        return listed.replace("<mark>", "").replace("</mark>", "")

    return get_all(client, [f"/{c}/search/?q={q}" for c in LOCALES for q in queries(marks)], results)


def search_everywhere(client, marks: Marks) -> str:
    """The three search surfaces at once: the engine's index is rebuilt for each cell, once is enough."""
    return "\n".join(fetch(client, marks) for fetch in (api_search, api_suggest, reader_search))


def translation_status(client, marks: Marks) -> str:
    return get_all(client, ["/api/v1/translations/status?page_size=100"])


def sitemap(client, marks: Marks) -> str:
    """As a crawler reads it: robots.txt names the sitemap index, the index names its parts."""
    robots = get_all(client, ["/robots.txt"])
    index_url = re.search(r"^Sitemap: (\S+)$", robots, re.MULTILINE).group(1)
    index = get_all(client, [urlsplit(index_url).path])
    parts = [urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", index)]
    assert parts, "the index names at least one part"
    return "\n".join([robots, index, get_all(client, parts)])


def files(client, marks: Marks) -> str:
    """The URLs that answered 200 (files answer with bytes, not text)."""
    public = get_document_model().objects.get(title="Leak matrix public document").url
    served = []
    for url in [*marks.files, public]:
        response = client.get(url)
        if response.streaming:
            # Read to the end: the test client then closes the file with close_old_connections
            # disconnected (response.close() would close PostgreSQL's connection mid-test).
            b"".join(response.streaming_content)
        assert response.status_code in {200, 403, 404}, (url, response.status_code)
        if response.status_code == 200:
            served.append(url)
    return "\n".join(served)


def open_data_dumps(client, marks: Marks) -> str:
    """The dumps as the next export writes them, read where they are served (/api/v1/export/)."""
    bodies = []
    with tempfile.TemporaryDirectory() as folder, override_settings(OPEN_DATA_DIR=Path(folder)):
        export_cases()
        for item in FORMATS:
            response = client.get(f"/api/v1/export/{item.name}")
            assert response.status_code == 200, item.name
            bodies.append(b"".join(response.streaming_content).decode())
    return "\n".join(bodies)


def feeds(client, marks: Marks) -> str:
    return get_all(client, [f"/{code}/feed/" for code in LOCALES])


def data_pages(client, marks: Marks) -> str:
    return get_all(client, [f"/{code}/data/" for code in LOCALES])


def previews(client, marks: Marks) -> str:
    urls = [f"/api/preview?content_type=manual.casestudypage&token={t}" for t in ("", "forged")]
    urls += [reverse("wagtailadmin_pages:view_draft", args=[page.pk]) for page in pages_of(marks)]
    return get_all(client, urls)


def reviewed_text(marks: Marks) -> list[str]:
    return [*REVIEWED, *marks.shown]


def reviewed_sections_and_terms(marks: Marks) -> list[str]:
    sections = ManualSectionPage.objects.live().filter(depth=4, alias_of__isnull=True)
    return [*sections.filter(slug=sections.first().slug).values_list("title", flat=True), "Государственный бюджет"]


def reviewed_titles(marks: Marks) -> list[str]:
    # Type-ahead matches titles. (Titles whose words are capitalised Cyrillic are left out: SQLite's
    # LIKE folds the case of ASCII only, so the database driver cannot find them on SQLite.)
    return [*REVIEWED, *[title for title in marks.shown if title.isascii()]]


def reviewed_paths(marks: Marks) -> list[str]:
    return [page.url for page in CaseStudyPage.objects.filter(slug=REVIEWED_SLUG)]


def public_file(marks: Marks) -> list[str]:
    return [get_document_model().objects.get(title="Leak matrix public document").url]


def download_links(marks: Marks) -> list[str]:
    return [f'href="/api/v1/export/{item.name}"' for item in FORMATS]


def nothing(marks: Marks) -> list[str]:
    return []  # a preview without a token shows nothing at all


@dataclass
class Surface:
    fetch: object
    shows: object = reviewed_text
    engine: bool = False


SURFACES = {
    "reader pages (every locale)": Surface(reader_pages),
    "reader map (every locale)": Surface(reader_map),
    "/api/v1/cases": Surface(api_cases),
    "/api/v1/cases/{id}": Surface(api_case_details),
    "/api/v1/pages/find": Surface(api_find),
    "/api/v1/pages": Surface(api_pages),
    "/api/v1/sections, /taxonomies": Surface(api_sections_and_taxonomies, reviewed_sections_and_terms),
    "/api/v1/search (database)": Surface(api_search),
    "/api/v1/search/suggest (database)": Surface(api_suggest, reviewed_titles),
    "reader search (database)": Surface(reader_search),
    "search, suggest, reader search (engine)": Surface(search_everywhere, engine=True),
    "/api/v1/translations/status": Surface(translation_status, lambda marks: REVIEWED[:1]),
    "robots.txt, sitemap index and parts": Surface(sitemap, reviewed_paths),
    "media and document URLs": Surface(files, public_file),
    "previews without a token": Surface(previews, nothing),
    "open data dumps (JSON, CSV, GeoJSON)": Surface(open_data_dumps),
    "Atom feeds": Surface(feeds),
    "data page": Surface(data_pages, download_links),
}

# Cells that still leak on this branch: (action, surface) -> what leaks. Remove an entry once fixed.
KNOWN_LEAKS: dict[tuple[str, str], str] = {}


def cells() -> list:
    return [
        pytest.param(perform, surface, id=f"{action} | {surface}", marks=([
            pytest.mark.xfail(strict=True, reason=KNOWN_LEAKS[action, surface])
        ] if (action, surface) in KNOWN_LEAKS else []) + ([pytest.mark.engine] if SURFACES[surface].engine else []))
        for action, perform in ACTIONS
        for surface in SURFACES
    ]  # fmt: skip


@contextlib.contextmanager
def search_driver(engine: bool):
    """The database driver; or the engine, on a private index rebuilt from the database."""
    search_services.EngineHealth.reset()
    if not engine:
        with override_settings(SEARCH_URL=""):
            yield
        return
    url, prefix = engine_url(), f"{settings.SEARCH_INDEX_PREFIX}-leak-{uuid.uuid4().hex[:8]}"
    try:
        with override_settings(SEARCH_URL=url, SEARCH_INDEX_PREFIX=prefix):
            search_services.rebuild()
            yield
    finally:
        OpenSearch([url]).indices.delete(index=f"{prefix}*", ignore_unavailable=True)
        search_services.EngineHealth.reset()


@pytest.fixture
def public_document(db):
    document = get_document_model()(title="Leak matrix public document")
    document.file.save("leak-matrix-public.pdf", ContentFile(make_pdf()), save=True)
    return document


@pytest.mark.parametrize(("perform", "surface"), cells())
def test_nothing_unreviewed_shows_and_everything_reviewed_does(
    perform, surface, client, en, ru, editor, moderator, translator, public_document, tmp_path,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    row = SURFACES[surface]
    env = Env(client, editor, moderator, translator, en, ru, django_capture_on_commit_callbacks, tmp_path)
    with search_driver(row.engine):
        marks = perform(env)
        client.logout()
        body = row.fetch(client, marks)
    leaked = [mark for mark in [*marks.hidden, *marks.files] if mark.lower() in body.lower()]
    assert not leaked, f"unreviewed content is public on {surface}: {leaked}"
    missing = [shown for shown in row.shows(marks) if shown not in body]
    assert not missing, f"reviewed content is missing on {surface}: {missing}"
