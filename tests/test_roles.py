"""Roles documented = roles granted: docs/roles.md's table against the groups after ``sync_locales``."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from wagtail.models import Collection, GroupApprovalTask, GroupCollectionPermission, GroupPagePermission, Page

from manual.services.locales import sync_locales
from manual.services.review import (
    EDITORS,
    MODERATORS,
    SUBMISSIONS_IN_REVIEW_COLLECTION,
    TAXONOMY_MODELS,
    TRANSLATORS,
)

pytestmark = pytest.mark.django_db
ROLES_DOC = Path(settings.BASE_DIR) / "docs" / "roles.md"
GROUPS = (EDITORS, MODERATORS, TRANSLATORS)


def _expand(item: str) -> list[str]:
    """`manual.{add,delete}_<taxonomy>` -> every spelling it stands for (docs/roles.md)."""
    items = [item.replace("<taxonomy>", model) for model in TAXONOMY_MODELS] if "<taxonomy>" in item else [item]
    expanded = []
    for one in items:
        parts = re.split(r"\{([^}]*)\}", one)  # text, choices, text, ...
        choices = [part.split(",") if index % 2 else [part] for index, part in enumerate(parts)]
        expanded.extend("".join(combination) for combination in itertools.product(*choices))
    return expanded


def documented_roles() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Per group, what the table grants ("yes") and what it withholds ("—")."""
    lines = ROLES_DOC.read_text(encoding="utf-8").splitlines()
    header_at = next(index for index, line in enumerate(lines) if line.startswith("| action |"))
    header = [cell.strip() for cell in lines[header_at].strip("|").split("|")]
    assert header == ["action", *GROUPS, "granted by"], header
    granted = {group: set() for group in GROUPS}
    withheld = {group: set() for group in GROUPS}
    for line in itertools.takewhile(lambda line: line.startswith("|"), lines[header_at + 2 :]):
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        keys = {key for item in re.findall(r"`([^`]+)`", cells[-1]) for key in _expand(item)}
        assert keys, f"no permission named in: {line}"
        for group, answer in zip(GROUPS, cells[1:-1], strict=True):
            assert answer in ("yes", "—"), f"{group}: {answer!r} in {line}"
            (granted if answer == "yes" else withheld)[group] |= keys
    return granted, withheld


def held(group: Group) -> set[str]:
    """Everything a group holds, spelt as in docs/roles.md."""
    root, root_collection = Page.get_first_root_node(), Collection.get_first_root_node()
    in_review = Collection.objects.get(name=SUBMISSIONS_IN_REVIEW_COLLECTION)
    keys = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
    for row in GroupPagePermission.objects.filter(group=group).select_related("permission"):
        keys.add(f"page:{row.permission.codename}" if row.page_id == root.pk else f"page {row.page_id}:?")
    for row in GroupCollectionPermission.objects.filter(group=group).select_related("permission__content_type"):
        label = f"{row.permission.content_type.app_label}.{row.permission.codename}"
        if row.collection_id == root_collection.pk:
            keys.add(f"collection:{label}")
        elif row.collection_id == in_review.pk:
            keys.add(f"in-review:{label}")
        else:
            keys.add(f"collection {row.collection_id}:?")
    keys |= {f"task:{task.name}" for task in GroupApprovalTask.objects.filter(groups=group)}
    return keys


def test_the_roles_table_is_what_sync_locales_grants():
    # Wagtail's own migrations give Moderators the media library; an operator might too. The
    # roles are re-asserted at every start: the excess goes.
    moderators = Group.objects.get(name=MODERATORS)
    moderators.permissions.add(Permission.objects.get(content_type__app_label="wagtailimages", codename="delete_image"))
    GroupCollectionPermission.objects.get_or_create(
        group=moderators,
        collection=Collection.get_first_root_node(),
        permission=Permission.objects.get(content_type__app_label="wagtailimages", codename="add_image"),
    )
    sync_locales()
    granted, withheld = documented_roles()
    for name in GROUPS:
        assert not granted[name] & withheld[name], f"{name}: the table both grants and withholds"
        assert held(Group.objects.get(name=name)) == granted[name], name


def test_the_table_names_real_permissions():
    granted, _withheld = documented_roles()
    for key in set().union(*granted.values()):
        if key.startswith("task:"):
            assert GroupApprovalTask.objects.filter(name=key.removeprefix("task:")).exists(), key
            continue
        label = key.split(":")[-1]
        app_label, codename = label.split(".") if "." in label else ("wagtailcore", label)
        assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists(), key
