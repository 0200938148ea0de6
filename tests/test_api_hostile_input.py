"""No input answers 5xx, and every error of an /api/ path is ``{"errors": [{"field", "code", "message"}]}``.

The table of hostile parameters is built from the API's own OpenAPI document, so a route added
later is covered without touching this file: each query and path parameter gets the values of its
type that once broke something (numbers past 64 bits, NUL, words where numbers belong).
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone
from ninja import NinjaAPI

from manual.services import api_shapes
from site_config.api import api
from submissions.models import Submission, SubmissionStatus
from submissions.services.idempotency import sha256
from tests.support.submissions import URL, post_json, valid_payload

pytestmark = pytest.mark.django_db

HUGE = "9" * 40  # past any integer column (2**63 - 1 has 19 digits)
BENIGN = {"integer": "1", "boolean": "false", "string": "x", "array": "x"}


def _operations() -> list[tuple[str, str, dict]]:
    # ninja's own document: its routes and parameters are what the table needs, and it is built at
    # collection time, before any database exists (core.openapi adds enums read from it).
    schema = NinjaAPI.get_openapi_schema(api, path_prefix="/api/v1/")
    return [
        (method.upper(), path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def _type(parameter: dict) -> str:
    schema = parameter.get("schema", {})
    kinds = [schema.get("type")] + [option.get("type") for option in schema.get("anyOf", [])]
    for kind in ("integer", "boolean", "array", "string"):
        if kind in kinds:
            return kind
    return "string"


def _hostile_values(kind: str) -> list[tuple[str, str]]:
    values = [("nul", "a\x00b")]
    if kind == "integer":
        values += [("huge", HUGE), ("negative_huge", "-" + HUGE), ("word", "abc"), ("float", "1.5")]
    if kind == "boolean":
        values += [("word", "maybe")]
    return values


def _cases() -> list:
    cases = []
    for method, path, operation in _operations():
        parameters = [p for p in operation.get("parameters", []) if p["in"] in {"query", "path"}]
        for parameter in parameters:
            for label, value in _hostile_values(_type(parameter)):
                case_id = f"{method} {path} {parameter['name']}={label}"
                cases.append(pytest.param(method, path, parameters, parameter, value, id=case_id))
    return cases


def _url(path: str, parameters: list[dict], target: dict, value: str) -> tuple[str, dict]:
    query = {}
    for parameter in parameters:
        given = value if parameter is target else BENIGN[_type(parameter)]
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", given)
        elif parameter is target or parameter.get("required"):
            query[parameter["name"]] = given
    return path, query


def assert_error_shape(response, status: int | None = None) -> list[dict]:
    assert response.status_code < 500, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    errors = response.json()["errors"]
    assert errors and all(set(error) == {"field", "code", "message"} for error in errors)
    if status is not None:
        assert response.status_code == status, response.content[:500]
    return errors


@pytest.mark.parametrize(("method", "path", "parameters", "target", "value"), _cases())
def test_a_hostile_parameter_is_a_400_naming_it(client, settings, method, path, parameters, target, value):
    settings.SUBMISSIONS_RATE_LIMIT = 0
    client.raise_request_exception = False
    url, query = _url(path, parameters, target, value)
    if target["in"] == "path" and _type(target) != "integer":
        # A text path segment with NUL names nothing found (404) or is refused (400): never more.
        response = client.generic(method, url, data=b"", QUERY_STRING="&".join(f"{k}={v}" for k, v in query.items()))
        assert_error_shape(response)
        assert response.status_code in {400, 404}
        return
    if target["in"] == "path" and not value.lstrip("-").isdigit():
        # Django's int converter only routes digits: anything else is an unknown address.
        response = client.generic(method, url)
        assert_error_shape(response, 404)
        return
    if target["in"] == "path" and value.startswith("-"):
        assert_error_shape(client.generic(method, url), 404)
        return
    response = client.generic(method, url + "?" + _encode(query))
    errors = assert_error_shape(response, 400)
    assert target["name"] in {error["field"] for error in errors}, errors


def _encode(query: dict[str, str]) -> str:
    return urlencode(query)


def test_the_table_covers_every_route_and_parameter():
    """A route with parameters is in the table as soon as it is on the API object."""
    covered = {(case.values[0], case.values[1]) for case in _cases()}
    with_parameters = {
        (method, path)
        for method, path, operation in _operations()
        if any(parameter["in"] in {"query", "path"} for parameter in operation.get("parameters", []))
    }
    assert with_parameters <= covered
    assert ("GET", "/api/v1/cases/{case_id}") in covered and ("GET", "/api/v1/search") in covered


def test_every_route_with_a_body_is_in_the_body_table():
    """A new route reading a body must join test_a_hostile_body_is_a_400_naming_the_field."""
    with_body = {(method, path) for method, path, operation in _operations() if "requestBody" in operation}
    assert with_body == {("POST", "/api/v1/submissions"), ("PUT", "/api/v1/submissions/{submission_id}")}


# --- bodies of the routes that read one ---

HOSTILE_BODIES = {
    "lone_surrogate": (b'{"title": "\\ud800"}', "title"),
    "lone_surrogate_nested": (b'{"contact": {"name": "\\udfff"}}', "contact.name"),
    "lone_surrogate_in_key": (b'{"\\ud800": 1}', None),
    "nul_in_text": (json.dumps(valid_payload(title="a\x00b")).encode(), "title"),
    "huge_updates_case": (json.dumps(valid_payload(updates_case=int(HUGE))).encode(), "updates_case"),
    "updates_case_past_64_bits": (json.dumps(valid_payload(updates_case=2**63)).encode(), "updates_case"),
    "wrong_type": (json.dumps(valid_payload(title=5)).encode(), "title"),
    "not_an_object": (b"[1, 2]", None),
    "not_json": (b"{", None),
    "not_utf8": (b'{"title": "\xff\xfe"}', None),
    "nan": (b'{"title": NaN}', None),
    "deep": (b"[" * 100_000 + b"]" * 100_000, None),
}


def _edit_link(client) -> str:
    """A submission sent back for changes, and the PUT address of its edit link."""
    response = post_json(client, valid_payload())
    submission = Submission.objects.get(pk=response.json()["id"])
    token = "edit-token-for-hostile-bodies"
    Submission.objects.filter(pk=submission.pk).update(
        status=SubmissionStatus.CHANGES_REQUESTED,
        edit_token_hash=sha256(token),
        edit_token_expires_at=timezone.now() + timedelta(days=1),
    )
    return f"{URL}/{submission.pk}?token={token}"


@pytest.mark.parametrize("method", ["POST", "PUT"])
@pytest.mark.parametrize("name", HOSTILE_BODIES)
def test_a_hostile_body_is_a_400_naming_the_field(client, settings, name, method):
    settings.SUBMISSIONS_RATE_LIMIT = 0
    client.raise_request_exception = False
    body, field = HOSTILE_BODIES[name]
    url = URL if method == "POST" else _edit_link(client)
    response = client.generic(method, url, body, content_type="application/json")
    errors = assert_error_shape(response, 400)
    if field is not None:
        assert field in {error["field"] for error in errors}, errors


def test_a_lone_surrogate_in_the_multipart_data_part_is_named(client, settings):
    settings.SUBMISSIONS_RATE_LIMIT = 0
    response = client.post(URL, {"data": '{"title": "\\ud800"}'})
    errors = assert_error_shape(response, 400)
    assert "title" in {error["field"] for error in errors}


# --- the rate limit comes before the body ---


def test_malformed_posts_past_the_limit_get_429_before_their_body_is_read(settings):
    """The attack of the issue: seven malformed posts from one address against a limit of 5."""
    settings.SUBMISSIONS_RATE_LIMIT = 5
    attacker = Client(REMOTE_ADDR="203.0.113.66", raise_request_exception=False)
    answers = [
        attacker.post(URL, b'{"title": "\\ud800"}', content_type="application/json").status_code for _ in range(7)
    ]
    assert answers == [400] * 5 + [429] * 2

    # Refused without reading the body: a body that cannot even be read is not looked at.
    class Unreadable:
        def read(self, *args):
            raise AssertionError("the body of a refused request was read")

        readline = read

    refused = attacker.generic(
        "POST", URL, content_type="application/json", **{"wsgi.input": Unreadable(), "CONTENT_LENGTH": "20"}
    )
    errors = assert_error_shape(refused, 429)
    assert errors[0]["code"] == "rate_limited"
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert Submission.objects.count() == 0


def test_an_idempotent_replay_gives_its_attempt_back(client, settings):
    """A replay is counted like any attempt (its body is unread then) and given back once recognised."""
    settings.SUBMISSIONS_RATE_LIMIT = 2
    first = post_json(client, valid_payload(), **{"Idempotency-Key": "once"})
    replay = post_json(client, valid_payload(), **{"Idempotency-Key": "once"})
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay["Idempotent-Replayed"] == "true"
    assert post_json(client, valid_payload(title="Another")).status_code == 201
    assert post_json(client, valid_payload(title="One more")).status_code == 429
    # Past the limit even a replay waits: the address is refused before its body says what it is.
    assert post_json(client, valid_payload(), **{"Idempotency-Key": "once"}).status_code == 429


def test_a_put_without_an_open_edit_link_never_reads_the_body(client):
    class Unreadable:
        def read(self, *args):
            raise AssertionError("the body was read before the edit link was checked")

        readline = read

    url = f"{URL}/{uuid.uuid4()}?token=wrong"
    response = client.generic(
        "PUT", url, content_type="application/json", **{"wsgi.input": Unreadable(), "CONTENT_LENGTH": "20"}
    )
    assert assert_error_shape(response, 404)[0]["code"] == "not_found"


# --- errors Django answers itself are JSON on /api/ too ---


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/nope", "/api/v1/cases/abc", "/api/v1/sections/-1"])
def test_an_unknown_api_address_is_a_json_404(client, path):
    assert assert_error_shape(client.get(path), 404)[0]["code"] == "not_found"


def test_a_wrong_method_is_a_json_405_with_allow(client):
    response = client.delete("/api/v1/cases")
    assert assert_error_shape(response, 405)[0]["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_an_unhandled_exception_in_an_api_view_is_a_json_500(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(api_shapes, "locale_list", broken)
    client.raise_request_exception = False
    response = client.get("/api/v1/locales")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "errors": [
            {"field": None, "code": "server_error", "message": "An internal error occurred; it has been logged."}
        ]
    }
    assert "a bug" not in response.content.decode(), "no internals are shown"
    assert any(record.name == "django.request" and record.exc_info for record in caplog.records), "the bug is logged"


def test_reader_pages_keep_their_html_error_pages(client):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
