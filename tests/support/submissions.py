"""A valid submission: the document of the intake API and the requests that send it, the fields of
the HTML form."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.support.forms import started

URL = "/api/v1/submissions"
FORM = "/en/submit/"


def valid_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "locale": "en",
        "title": "Neighbourhood budget of Tartu",
        "summary": "Residents of Tartu propose and vote on small projects for their neighbourhoods.",
        "organisation": "City of Tartu",
        "city": "Tartu",
        "region": "Tartu County",
        "country": "ee",
        "coordinates": {"lat": 58.378, "lon": 26.729},
        "population": 91000,
        "government_level": "local",
        "participation_level": "empower",
        "stages": ["decision", "implementation"],
        "topics": ["budget", "urban-planning"],
        "tools": ["participatory-budgeting", "e-voting"],
        "start_year": 2013,
        "end_year": 2023,
        "initiative_status": "completed",
        "body": {
            "context": "Tartu wanted residents to shape spending.\n\nThe council agreed in 2012.",
            "objectives": "<p>Involve residents in <b>real</b> budget decisions.</p>",
            "approach": "<ul><li>Proposals online</li><li>Public vote</li></ul>",
            "technology": "The national e-ID for voting.",
            "results": "Thousands of votes every year.",
            "lessons": "Keep the rules simple.",
            "transferability": "Any city with e-ID.",
        },
        "links": [{"title": "Project site", "url": "https://www.tartu.ee/en/participatory-budgeting"}],
        "metrics": [{"label": "Votes cast", "value": 12345, "unit": "votes"}],
        "contact": {
            "name": "Mari Maasikas",
            "email": "mari@example.org",
            "organisation": "Tartu City Government",
            "role": "Participation officer",
        },
        "consent": {"terms": True, "publish_contact": True, "licence": "CC-BY-SA-4.0"},
    }
    for key, value in overrides.items():
        if value is _DROP:
            payload.pop(key, None)
        else:
            payload[key] = value
    return copy.deepcopy(payload)


_DROP = object()


def without(*keys: str) -> dict[str, Any]:
    return dict.fromkeys(keys, _DROP)


def post_json(client, payload: Any, **headers: str):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def post_multipart(client, payload: Any, attachments: Sequence[tuple[str, bytes]] = (), **extra: Any):
    data: dict[str, Any] = {"data": payload if isinstance(payload, str) else json.dumps(payload)}
    data["attachments"] = [SimpleUploadedFile(name, content) for name, content in attachments]
    for key, value in extra.items():
        data[key] = value
    return client.post(URL, data=data)


def errors_by_field(response) -> dict[str | None, str]:
    assert response.status_code == 400, response.content
    return {error["field"]: error["code"] for error in response.json()["errors"]}


def form_data(**overrides) -> dict:
    """The fields of the submission form (FORM), filled as a person would; ``overrides`` replace some."""
    data = {
        "title": "Neighbourhood budget of Tartu",
        "summary": "Residents of Tartu propose and vote on small projects for their neighbourhoods.",
        "organisation": "City of Tartu",
        "city": "Tartu",
        "region": "Tartu County",
        "country": "EE",
        "population": "91000",
        "lat": "58.378",
        "lon": "26.729",
        "government_level": "local",
        "participation_level": "empower",
        "stages": ["decision", "implementation"],
        "topics": ["budget"],
        "tools": ["participatory-budgeting"],
        "start_year": "2013",
        "end_year": "2023",
        "initiative_status": "completed",
        "body_context": "Tartu wanted residents to shape spending.",
        "body_objectives": "Involve residents in real budget decisions.",
        "body_approach": "Proposals online, then a public vote.",
        "body_results": "Thousands of votes every year.",
        "link_title_0": "Project site",
        "link_url_0": "https://www.tartu.ee/en/participatory-budgeting",
        "metric_label_0": "Votes cast",
        "metric_value_0": "12345",
        "metric_unit_0": "votes",
        "contact_name": "Mari Maasikas",
        "contact_email": "mari@example.org",
        "consent_terms": "on",
        "licence": "CC-BY-4.0",
        "website": "",
        # Shown 60 seconds ago: a person's pace.
        "form_started": started(seconds_ago=60),
    }
    data.update(overrides)
    return data
