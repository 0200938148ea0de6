"""Roles (Editors, Moderators, Translators) and the "Editorial review" workflow.

They exist from the first migration on (post_migrate runs ``sync_locales``) and are re-asserted at
every start, so a locale added later gets the workflow on its home page too. Who may do what is
declared once per role in ``ROLES`` and documented in docs/roles.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes
from django.db import transaction
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from manual.taxonomy_registry import taxonomy_kinds

EDITORS = "Editors"
MODERATORS = "Moderators"
TRANSLATORS = "Translators"
REVIEW_WORKFLOW = "Editorial review"
REVIEW_TASK = "Moderator approval"
# Wagtail images and documents made from submissions wait here until their case is published
# (submissions.services.media). Permissions on the root collection reach every collection, so
# Translators' "choose" there reaches this one too: the choosers leave it out for anyone without a
# permission granted on this collection itself (submissions.wagtail_hooks).
SUBMISSIONS_IN_REVIEW_COLLECTION = "Submissions in review"

# Image and document permissions on the private "Submissions in review" collection (beside the
# roles' grants on the root collection, which the choosers do not honour for it).
IN_REVIEW_COLLECTION_PERMISSIONS = {
    EDITORS: ["choose_image", "change_image", "choose_document", "change_document"],
    MODERATORS: ["choose_image", "change_image", "choose_document", "change_document"],
}
# The term models of the registry's taxonomies, as permission codenames spell them (docs/roles.md's
# ``<taxonomy>``).
TAXONOMY_MODELS = tuple(kind.model_name for kind in taxonomy_kinds())


# Translators and editors maintain the search glossary (docs/search.md "Glossary"); its concepts are
# snippets whose terms are inline rows, so the concept's permissions cover them.
GLOSSARY = tuple(f"manual.{action}_glossaryconcept" for action in ("add", "change", "delete"))


def _each_taxonomy(*actions: str) -> tuple[str, ...]:
    return tuple(kind.permission(action) for kind in taxonomy_kinds() for action in actions)


@dataclass(frozen=True)
class Role:
    """Everything one group may do, declared once; docs/roles.md is the same table in words.

    ``model``: Django permissions (``app_label.codename``); ``page``: Wagtail page permissions on the
    root page, i.e. in every locale tree; ``collection``: image and document permissions
    (``app_label.codename``) on the root collection. Approving in "Editorial review" is not a
    permission but membership of the review task's group (``ensure_review_workflow``).
    """

    name: str
    model: tuple[str, ...] = ()
    page: tuple[str, ...] = ()
    collection: tuple[str, ...] = ()


ROLES = (
    Role(
        EDITORS,
        model=(
            "wagtailadmin.access_admin",
            "wagtail_localize.submit_translation",
            "submissions.view_submission",
            "submissions.change_submission",
            *_each_taxonomy("add", "change", "delete"),
            *GLOSSARY,
        ),
        page=("add_page", "change_page", "publish_page", "lock_page", "unlock_page", "bulk_delete_page"),
        # Wagtail lets whoever may change an image or document delete it: no separate delete_*.
        collection=(
            "wagtailimages.add_image",
            "wagtailimages.change_image",
            "wagtailimages.choose_image",
            "wagtaildocs.add_document",
            "wagtaildocs.change_document",
            "wagtaildocs.choose_document",
        ),
    ),
    # Moderators review: they may fix and publish a page, and choose the images and documents it
    # uses, but the media library is the editors' (Wagtail's own migrations give this group more).
    Role(
        MODERATORS,
        model=("wagtailadmin.access_admin", "submissions.view_submission", "submissions.change_submission"),
        page=("add_page", "change_page", "publish_page", "lock_page", "unlock_page"),
        collection=("wagtailimages.choose_image", "wagtaildocs.choose_document"),
    ),
    # Translators never publish (issue "Translation workflows"). They hold change_<taxonomy> only
    # because wagtail-localize's translation editor of a snippet needs it; the taxonomy admin
    # refuses them the plain edit form (manual.admin_views.TaxonomyEditView).
    Role(
        TRANSLATORS,
        model=("wagtailadmin.access_admin", *_each_taxonomy("change"), *GLOSSARY),
        page=("change_page",),
        collection=("wagtailimages.choose_image", "wagtaildocs.choose_document"),
    ),
)


def _permission(label: str) -> Permission:
    app_label, codename = label.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _page_permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)


def _ensure_permission_rows() -> None:
    # post_migrate handlers run in INSTALLED_APPS order; ours may run before Django has created the
    # content types and permissions of later apps, so make sure they exist first.
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)


def ensure_roles() -> dict[str, Group]:
    """Give the three groups exactly the permissions of their ``Role``; returns the groups.

    Excess is removed (the model permissions, and those on the root page and root collection):
    Wagtail's and wagtail-localize's own migrations grant Editors and Moderators more, and the
    documented roles (docs/roles.md, compared by tests/test_roles.py) must be what is granted.
    Permissions an operator gives a group on a subtree or a sub-collection are left alone.
    """
    _ensure_permission_rows()
    groups = {}
    root = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    with transaction.atomic():
        for role in ROLES:
            group, _created = Group.objects.get_or_create(name=role.name)
            groups[role.name] = group
            group.permissions.set([_permission(label) for label in role.model])
            if root is not None:
                wanted = [_page_permission(codename) for codename in role.page]
                GroupPagePermission.objects.filter(group=group, page=root).exclude(permission__in=wanted).delete()
                for permission in wanted:
                    GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)
            if root_collection is not None:
                wanted = [_permission(label) for label in role.collection]
                GroupCollectionPermission.objects.filter(group=group, collection=root_collection).exclude(
                    permission__in=wanted
                ).delete()
                for permission in wanted:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection, permission=permission
                    )
        if root_collection is not None:
            ensure_in_review_collection(groups)
    return groups


def _collection_permission(codename: str) -> Permission:
    return _permission(f"{'wagtailimages' if codename.endswith('image') else 'wagtaildocs'}.{codename}")


def ensure_in_review_collection(groups: dict[str, Group] | None = None) -> Collection:
    """The private collection of submitted files in review: Editors and Moderators only.

    Its permissions are granted on the collection itself (that is what the choosers look for), and
    a "groups" view restriction makes Wagtail's own document view refuse everyone else, a second
    lock behind the hook that answers 404 (submissions.wagtail_hooks).
    """
    if groups is None:
        groups = {name: Group.objects.get_or_create(name=name)[0] for name in IN_REVIEW_COLLECTION_PERMISSIONS}
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=SUBMISSIONS_IN_REVIEW_COLLECTION).first()
    if collection is None:
        collection = root.add_child(name=SUBMISSIONS_IN_REVIEW_COLLECTION)
    for name, codenames in IN_REVIEW_COLLECTION_PERMISSIONS.items():
        for codename in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=groups[name], collection=collection, permission=_collection_permission(codename)
            )
    restriction = CollectionViewRestriction.objects.filter(
        collection=collection, restriction_type=CollectionViewRestriction.GROUPS
    ).first()
    if restriction is None:
        restriction = CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.GROUPS
        )
    restriction.groups.add(*(groups[name] for name in IN_REVIEW_COLLECTION_PERMISSIONS))
    return collection


def ensure_review_workflow(moderators: Group) -> Workflow:
    """The "Editorial review" workflow: one GroupApprovalTask for Moderators.

    Tasks are created with ``WorkflowTask.objects.create``: ``workflow.workflow_tasks.create()`` is
    deferred by modelcluster and would leave an empty workflow that finishes at once.
    """
    workflow, _created = Workflow.objects.get_or_create(name=REVIEW_WORKFLOW, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=REVIEW_TASK)
    task.groups.add(moderators)
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


def assign_review_workflow(workflow: Workflow, pages: list[Page]) -> int:
    """Put every given page (each locale's home) under the workflow; returns how many were added."""
    added = 0
    for page in pages:
        _link, created = WorkflowPage.objects.get_or_create(page=page, defaults={"workflow": workflow})
        added += created
    return added
