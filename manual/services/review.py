"""Roles (Editors, Moderators, Translators) and the "Editorial review" workflow.

They exist from the first migration on (post_migrate runs ``sync_locales``) and are re-asserted at
every start, so a locale added later gets the workflow on its home page too.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
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

# Page permissions granted on the root page, i.e. in every locale tree.
PAGE_PERMISSIONS = {
    EDITORS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page", "bulk_delete_page"],
    MODERATORS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    # Translators edit translated drafts; they never publish (issue "Translation workflows").
    TRANSLATORS: ["change_page"],
}
COLLECTION_PERMISSIONS = {
    EDITORS: ["add_image", "change_image", "choose_image", "add_document", "change_document", "choose_document"],
    MODERATORS: ["choose_image", "choose_document"],
    TRANSLATORS: ["choose_image", "choose_document"],
}
IN_REVIEW_COLLECTION_PERMISSIONS = {
    EDITORS: ["choose_image", "change_image", "choose_document", "change_document"],
    MODERATORS: ["choose_image", "change_image", "choose_document", "change_document"],
}
TAXONOMY_MODELS = ("topic", "eparticipationtool", "participationlevel", "governmentlevel", "policystage")
MODEL_PERMISSIONS = {
    EDITORS: [("wagtailadmin", "access_admin"), ("wagtail_localize", "submit_translation")]
    + [("manual", f"{action}_{model}") for model in TAXONOMY_MODELS for action in ("add", "change", "delete")],
    MODERATORS: [("wagtailadmin", "access_admin")],
    TRANSLATORS: [("wagtailadmin", "access_admin")] + [("manual", f"change_{model}") for model in TAXONOMY_MODELS],
}


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _page_permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)


def _ensure_permission_rows() -> None:
    # post_migrate handlers run in INSTALLED_APPS order; ours may run before Django has created the
    # content types and permissions of later apps, so make sure they exist first.
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)


def ensure_roles() -> dict[str, Group]:
    """Create the three groups with their permissions; adds what is missing, removes nothing."""
    _ensure_permission_rows()
    groups = {}
    root = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    with transaction.atomic():
        for name in (EDITORS, MODERATORS, TRANSLATORS):
            group, _created = Group.objects.get_or_create(name=name)
            groups[name] = group
            group.permissions.add(*(_permission(app, code) for app, code in MODEL_PERMISSIONS[name]))
            if root is not None:
                for codename in PAGE_PERMISSIONS[name]:
                    GroupPagePermission.objects.get_or_create(
                        group=group, page=root, permission=_page_permission(codename)
                    )
            if root_collection is not None:
                for codename in COLLECTION_PERMISSIONS[name]:
                    app = "wagtailimages" if codename.endswith("image") else "wagtaildocs"
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection, permission=_permission(app, codename)
                    )
        if root_collection is not None:
            ensure_in_review_collection(groups)
    return groups


def _collection_permission(codename: str) -> Permission:
    return _permission("wagtailimages" if codename.endswith("image") else "wagtaildocs", codename)


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
