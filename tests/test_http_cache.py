"""The HTTP cache in front (docs/operations.md "HTTP cache"): a real Varnish between nginx and gunicorn.

The stack of the run (tests/support/serving.py) serves the demo manual through nginx -> Varnish ->
gunicorn. A change is made the way an editor's publication makes it, in a Django process of the
stack (Wagtail's publish, a term's save), which purges Varnish after commit; the reader's view is
then read through nginx. Pages that carry a CSRF token, a session or a draft must never come from
the cache.
"""

from __future__ import annotations

import re
import uuid

import pytest

from tests.support.serving import Answer, ServedStack

pytestmark = pytest.mark.serving

WITHIN = 1.0  # seconds: a published change is visible through the cache within this


@pytest.fixture(scope="module")
def stack(served_stack: ServedStack) -> ServedStack:
    return served_stack


def cached(stack: ServedStack, path: str, headers: dict[str, str] | None = None) -> Answer:
    """Fetch ``path`` until Varnish answers it from the cache (it must, within a few tries)."""
    for _ in range(3):
        answer = stack.get(path, headers)
        if answer.cache == "HIT":
            return answer
    raise AssertionError(f"{path} never came from the cache: {answer.status} {dict(answer.headers)}")


def marker() -> str:
    return f"Changed {uuid.uuid4().hex[:10]}"


CASE_FACTS = """
from manual.models import CaseStudyPage
from wagtail.models import Page
cases = CaseStudyPage.objects.live().filter(locale__language_code="en", alias_of__isnull=True)
case = cases.exclude(related_cases=None).order_by("pk").first()
related = case.related_cases.order_by("sort_order").first().case
ru_case = CaseStudyPage.objects.live().filter(
    locale__language_code="ru", alias_of__isnull=True, awaiting_translation__isnull=True
).exclude(translation_key__in=[case.translation_key, related.translation_key]).order_by("pk").first()
others = cases.exclude(pk__in=[case.pk, related.pk]).exclude(translation_key=ru_case.translation_key).order_by("pk")
topic = related.topics.order_by("code").first()
ru_topic = ru_case.topics.order_by("code").first()
result = {
    "case": case.url, "related": related.url, "related_id": related.pk, "topic": topic.code,
    "ru_case": ru_case.url, "ru_case_id": ru_case.pk,
    "unpublish": others[0].url, "unpublish_id": others[0].pk, "draft": others[1].url, "draft_id": others[1].pk,
}
from manual.models import Topic
term = Topic.objects.get(code=ru_topic.code, locale=ru_case.locale)
result["ru_term_id"], result["ru_term_label"] = term.pk, term.label
"""


@pytest.fixture(scope="module")
def facts(stack: ServedStack) -> dict:
    found = stack.django(CASE_FACTS)
    assert isinstance(found, dict)
    return found


def test_a_reader_page_is_kept_by_the_cache_and_marked_public(stack):
    first = stack.get("/en/")
    assert first.status == 200
    assert "public" in first.headers["Cache-Control"] and "s-maxage=" in first.headers["Cache-Control"]
    again = cached(stack, "/en/")
    assert again.body == first.body
    assert "X-Varnish" in again.headers and "Age" in again.headers


def test_a_published_case_is_visible_within_a_second_on_its_page_lists_and_related_pages(stack, facts):
    lists = [facts["related"], facts["case"], "/en/cases/", f"/en/cases/?topic={facts['topic']}", "/api/v1/cases"]
    for path in lists:
        cached(stack, path)
    title = marker()
    stack.django(
        "from manual.models import CaseStudyPage\n"
        f"page = CaseStudyPage.objects.get(pk={facts['related_id']})\n"
        f"page.title = {title!r}\n"
        "page.save_revision().publish()\n"
    )
    for path in (facts["related"], facts["case"], f"/en/cases/?topic={facts['topic']}", "/api/v1/cases"):
        # the case itself, the case whose related cases list it, the list with a query string, the API
        assert stack.wait_until(path, title, WITHIN) <= WITHIN, path


def test_an_unpublished_case_leaves_the_sitemap_and_its_url_within_a_second(stack, facts):
    assert "/sitemap-en.xml" in cached(stack, "/sitemap.xml").body  # the index names the English part
    part = cached(stack, "/sitemap-en.xml")
    assert facts["unpublish"] in part.body
    assert cached(stack, facts["unpublish"]).status == 200
    stack.django(f"from wagtail.models import Page\nPage.objects.get(pk={facts['unpublish_id']}).unpublish()\n")
    assert stack.get(facts["unpublish"]).status == 404
    for path in ("/sitemap.xml", "/sitemap-en.xml"):
        assert stack.get(path).cache == "MISS", path
    assert facts["unpublish"] not in stack.get("/sitemap-en.xml").body


def test_a_published_translation_is_visible_within_a_second(stack, facts):
    cached(stack, facts["ru_case"])
    cached(stack, "/ru/cases/")
    title = marker()
    stack.django(
        "from manual.models import CaseStudyPage\n"
        f"page = CaseStudyPage.objects.get(pk={facts['ru_case_id']})\n"
        f"page.title = {title!r}\n"
        "page.save_revision().publish()\n"
    )
    assert stack.wait_until(facts["ru_case"], title, WITHIN) <= WITHIN
    assert stack.wait_until("/ru/cases/", title, WITHIN) <= WITHIN


def test_a_term_label_is_visible_within_a_second_on_its_locale_only(stack, facts):
    cached(stack, facts["ru_case"])
    english = cached(stack, "/en/")
    label = marker()
    stack.django(
        f"from manual.models import Topic\nterm = Topic.objects.get(pk={facts['ru_term_id']})\n"
        f"term.label = {label!r}\nterm.save()\n"
    )
    assert stack.wait_until(facts["ru_case"], label, WITHIN) <= WITHIN
    # A ban of the locale's prefix: the other locale's pages stay in the cache.
    assert stack.get("/en/").cache == "HIT"
    assert stack.get("/en/").body == english.body


@pytest.mark.parametrize(
    "path",
    [
        "/en/submit/",
        "/ru/submit/",
        "/en/accessibility/feedback/",
        f"/en/submit/status/{uuid.UUID(int=1)}/",
        f"/en/submit/{uuid.UUID(int=1)}/edit/",
        "/admin/login/",
        "/api/preview?content_type=manual.casestudypage&token=x",
    ],
)
def test_forms_status_edit_admin_and_preview_pages_never_come_from_the_cache(stack, path):
    first, second = stack.get(path), stack.get(path)
    for answer in (first, second):
        assert answer.cache == "MISS", path
        assert answer.headers.get("Age", "0") == "0"
        assert "no-store" in answer.headers.get("Cache-Control", "") or answer.status in {301, 302, 404}, path
    tokens = [re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.body) for answer in (first, second)]
    if tokens[0]:
        assert tokens[0] != tokens[1], "each visitor gets a CSRF token of their own"


EDITOR_SESSION = """
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
user, _ = get_user_model().objects.get_or_create(
    username="cache-editor", defaults={"is_superuser": True, "is_staff": True}
)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
result = {"cookie": settings.SESSION_COOKIE_NAME + "=" + session.session_key}
"""


def test_a_draft_seen_by_an_editor_through_the_cache_is_never_served_to_a_reader(stack, facts):
    live = cached(stack, facts["draft"])
    secret = f"Draft {uuid.uuid4().hex[:10]}"
    stack.django(
        "from manual.models import CaseStudyPage\n"
        f"page = CaseStudyPage.objects.get(pk={facts['draft_id']})\n"
        f"page.title = {secret!r}\n"
        "page.save_revision()\n"
    )
    editor = {"Cookie": stack.django(EDITOR_SESSION)["cookie"]}  # type: ignore[index]
    draft_url = f"/admin/pages/{facts['draft_id']}/view_draft/"
    seen = stack.get(draft_url, editor)
    assert seen.status == 200 and secret in seen.body, "the editor sees the draft"
    as_editor = stack.get(facts["draft"], editor)
    assert as_editor.cache == "MISS", "a signed-in request never comes from the cache"
    for _ in range(2):
        anonymous = stack.get(draft_url)
        assert anonymous.status == 302 and secret not in anonymous.body and anonymous.cache == "MISS"
        reader = stack.get(facts["draft"])
        assert secret not in reader.body and reader.body == live.body and reader.cache == "HIT"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Cookie": "sessionid=abc"}, "MISS"),
        ({"Cookie": "csrftoken=abc"}, "MISS"),
        ({"Cookie": "_ga=GA1.1.1; django_language=ru"}, "MISS"),
        ({"Authorization": "Basic YTpi"}, "MISS"),
        ({"Cookie": "_ga=GA1.1.1; _pk_id.1=x"}, "HIT"),
    ],
)
def test_a_request_with_a_cookie_or_credentials_bypasses_the_cache(stack, headers, expected):
    cached(stack, "/en/privacy/")
    assert stack.get("/en/privacy/", headers).cache == expected


def test_a_forged_host_neither_poisons_nor_splits_the_cache(stack):
    stack.get("/ru/", {"Host": "evil.example"})
    answer = stack.get("/ru/", {"Host": "evil.example"})
    assert answer.status == 200 and answer.cache == "HIT"
    assert "evil.example" not in answer.body
    assert "evil.example" not in stack.get("/ru/").body


@pytest.mark.parametrize("method", ["PURGE", "BAN"])
def test_readers_cannot_purge(stack, method):
    cached(stack, "/en/accessibility/")
    refused = stack.get("/en/accessibility/", {"X-Ban-Prefix": "/"}, method=method)
    assert refused.status == 405
    assert stack.get("/en/accessibility/").cache == "HIT"


def test_the_app_reads_the_client_address_nginx_wrote_not_a_forged_one(stack):
    """The rate limits read X-Forwarded-For with SUBMISSIONS_TRUSTED_PROXIES=1: it must hold the
    address nginx saw, not one the client wrote nor the one Varnish appends (docs/operations.md)."""
    probe = uuid.uuid4().hex
    stack.get(f"/en/submit/?probe={probe}", {"X-Forwarded-For": "203.0.113.9"}, source="127.0.0.2")
    log = stack.varnish_log(f'ReqURL ~ "{probe}"', "BereqHeader")
    forwarded = [line.split(":", 1)[1].strip() for line in log.splitlines() if "X-Forwarded-For" in line]
    assert forwarded == ["127.0.0.2"]
