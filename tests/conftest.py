import os

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Locale

from manual.models import CaseStudyPage
from manual.services.review import EDITORS, MODERATORS, TRANSLATORS


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo manual once into the test database; each test runs in a rolled-back transaction."""
    from manual.services.demo import load_demo_manual

    with django_db_blocker.unblock():
        load_demo_manual()


@pytest.fixture
def en(db) -> Locale:
    return Locale.objects.get(language_code="en")


@pytest.fixture
def ru(db) -> Locale:
    return Locale.objects.get(language_code="ru")


@pytest.fixture
def en_cases(db):
    return CaseStudyPage.objects.live().filter(locale__language_code="en", alias_of__isnull=True)


def _user(django_user_model, username: str, group: str | None):
    user = django_user_model.objects.create_user(username=username, email=f"{username}@example.org", password="pw")
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db, django_user_model):
    return _user(django_user_model, "editor", EDITORS)


@pytest.fixture
def moderator(db, django_user_model):
    return _user(django_user_model, "moderator", MODERATORS)


@pytest.fixture
def translator(db, django_user_model):
    return _user(django_user_model, "translator", TRANSLATORS)


def pytest_report_header(config):
    return f"database: {os.environ.get('DATABASE_URL') or 'SQLite (DATABASE_URL unset)'}; CI={os.environ.get('CI', '')}"
