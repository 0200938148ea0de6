"""A new submission always reaches someone who can act: the moderators, else the administrators;
and ``manage.py check`` warns (``submissions.W001``) when the Moderators group cannot be told."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core import checks, mail
from django.core.management import call_command

from manual.services.review import MODERATORS
from submissions.models import Submission
from tests.support.submissions import post_json, valid_payload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.SUBMISSIONS_RATE_LIMIT = 0


@pytest.fixture
def fresh_install(django_user_model):
    """As after ``make run``: the admin (a superuser, in no group) and an empty Moderators group;
    plus superusers who cannot be told (inactive, no address) and a moderator without an address."""
    assert not Group.objects.get(name=MODERATORS).user_set.exists()
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "pw")
    django_user_model.objects.create_superuser("former", "former@example.org", "pw", is_active=False)
    django_user_model.objects.create_superuser("root", "", "pw")
    silent = django_user_model.objects.create_user("silent", "", "pw")
    silent.groups.add(Group.objects.get(name=MODERATORS))
    return admin


def _submit(client, capture) -> Submission:
    mail.outbox.clear()
    with capture(execute=True):
        response = post_json(client, valid_payload())
    assert response.status_code == 201, response.content
    return Submission.objects.get(pk=response.json()["id"])


def _notices() -> list[str]:
    """Who got the "new case" e-mail (moderators_new)."""
    return sorted(address for m in mail.outbox if m.subject.startswith("New case submitted:") for address in m.to)


def _w001() -> list[checks.CheckMessage]:
    return [message for message in checks.run_checks() if message.id == "submissions.W001"]


def test_without_moderators_a_new_submission_reaches_the_active_administrators(
    client, django_capture_on_commit_callbacks, fresh_install
):
    _submit(client, django_capture_on_commit_callbacks)
    assert _notices() == ["admin@example.org"]


def test_moderators_with_an_address_are_told_and_administrators_are_not(
    client, django_capture_on_commit_callbacks, fresh_install, moderator
):
    _submit(client, django_capture_on_commit_callbacks)
    assert _notices() == [moderator.email]


def test_check_warns_when_no_moderator_can_be_told_and_names_the_fallback(fresh_install):
    [warning] = _w001()
    assert warning.level == checks.WARNING
    assert "'Moderators' group has no active member with an e-mail address" in warning.msg
    assert "superusers instead: admin." in warning.msg and "former" not in warning.msg and "root" not in warning.msg

    # What an operator sees from ``manage.py check``.
    out, err = io.StringIO(), io.StringIO()
    call_command("check", stdout=out, stderr=err)
    assert "submissions.W001" in out.getvalue() + err.getvalue()


def test_check_says_when_nobody_at_all_would_be_told(django_user_model):
    [warning] = _w001()
    assert "nobody is told of new submissions" in warning.msg


def test_check_is_quiet_once_a_moderator_has_an_address(fresh_install, moderator):
    assert _w001() == []
