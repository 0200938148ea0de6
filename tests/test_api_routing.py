"""Routing by URL (issue 14, point 2): a front end finds the page a reader's path shows, and a
query parameter no route declares is a 400 naming it rather than silently ignored."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

# A value for each path parameter of the OpenAPI document: enough to reach the operation.
PATH_VALUES = {"{case_id}": "1", "{section_id}": "1", "{kind}": "topics", "{submission_id}": "1"}


def get_operations(client) -> list[tuple[str, dict]]:
    document = client.get("/api/v1/openapi.json").json()
    return [(path, item["get"]) for path, item in document["paths"].items() if "get" in item]


def reachable(path: str) -> str:
    for placeholder, value in PATH_VALUES.items():
        path = path.replace(placeholder, value)
    assert "{" not in path, f"give {path} a value in PATH_VALUES"
    return path


def test_every_get_route_answers_an_unknown_parameter_with_a_documented_400(client):
    operations = get_operations(client)
    assert len(operations) >= 10
    for path, operation in operations:
        assert "400" in operation["responses"], f"{path} does not document its 400"
        response = client.get(reachable(path), {"unheard_of": "1"})
        assert response.status_code == 400, path
        assert response.json()["errors"] == [
            {"field": "unheard_of", "code": "unknown_parameter", "message": response.json()["errors"][0]["message"]}
        ], path


def test_every_documented_query_parameter_is_known(client):
    """The parameters known are the operation's own: none of those it documents is called unknown."""
    for path, operation in get_operations(client):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            response = client.get(reachable(path), {parameter["name"]: "1"})
            codes = (
                [error["code"] for error in response.json().get("errors", [])] if response.status_code >= 400 else []
            )
            assert "unknown_parameter" not in codes, (path, parameter["name"])


def test_a_filter_the_route_does_not_take_is_refused_not_ignored(client):
    response = client.get("/api/v1/cases?slug=decide-madrid&colour=red&locale=en")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("slug", "unknown_parameter"), ("colour", "unknown_parameter")]
    assert "topic" in errors[0]["message"] and "page_size" in errors[0]["message"]
    assert (
        client.get("/api/v1/locales?x=1").json()["errors"][0]["message"] == "Unknown parameter; this route takes none."
    )


def test_the_submission_status_still_takes_its_token(client):
    response = client.get("/api/v1/submissions/1?token=not-the-token")
    assert response.status_code == 404  # the token is known; it just opens nothing


def test_messages_follow_accept_language_and_codes_do_not(client):
    errors = client.get("/api/v1/locales?x=1", HTTP_ACCEPT_LANGUAGE="ru").json()["errors"]
    assert errors == [
        {
            "field": "x",
            "code": "unknown_parameter",
            "message": "Неизвестный параметр; этот маршрут не принимает параметров.",
        }
    ]
