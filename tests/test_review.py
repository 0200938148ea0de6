"""Roles and the "Editorial review" workflow: a draft needs a moderator's approval to go live."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import Page, WorkflowPage
from wagtail.permission_policies.pages import PagePermissionPolicy

from manual.models import CaseStudyPage, ManualHomePage
from manual.services.review import EDITORS, MODERATORS, REVIEW_WORKFLOW, TRANSLATORS

pytestmark = pytest.mark.django_db


def test_groups_exist_with_their_permissions(editor, moderator, translator):
    assert {EDITORS, MODERATORS, TRANSLATORS} <= set(Group.objects.values_list("name", flat=True))
    root = Page.get_first_root_node()
    policy = PagePermissionPolicy()
    assert policy.user_has_permission_for_instance(editor, "publish", root)
    assert policy.user_has_permission_for_instance(moderator, "publish", root)
    assert not policy.user_has_permission_for_instance(translator, "publish", root)
    assert policy.user_has_permission_for_instance(translator, "change", root)
    assert editor.has_perm("wagtail_localize.submit_translation")
    assert not translator.has_perm("wagtail_localize.submit_translation")
    for user in (editor, moderator, translator):
        assert user.has_perm("wagtailadmin.access_admin")


def test_every_locale_home_is_under_editorial_review():
    homes = ManualHomePage.objects.all()
    assert homes.count() >= 2
    for home in homes:
        workflow = home.get_workflow()
        assert workflow is not None and workflow.name == REVIEW_WORKFLOW, home.locale
        assert [task.specific.groups.get().name for task in workflow.tasks] == [MODERATORS]
    assert WorkflowPage.objects.filter(page__in=homes).count() == homes.count()


def test_a_draft_in_review_needs_a_moderator_to_go_live(client, editor, moderator, ru):
    case = CaseStudyPage.objects.filter(locale=ru).first()
    case.summary = "Исправленное описание, ожидающее проверки модератором."
    revision = case.save_revision(user=editor)
    workflow_state = case.get_workflow().start(case, editor)
    case.refresh_from_db()
    assert case.workflow_in_progress
    task_state = workflow_state.current_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(case.pk, "approve", task_state.pk))

    client.force_login(editor)
    refused = client.post(url)  # Wagtail answers a refused admin action by redirecting to the dashboard
    assert refused.status_code in {302, 403} and refused.headers.get("Location", "/admin/") == "/admin/"
    case.refresh_from_db()
    assert case.live_revision_id != revision.pk and case.workflow_in_progress, "an editor cannot approve"

    client.force_login(moderator)
    response = client.post(url)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.live_revision_id == revision.pk
    assert case.summary.startswith("Исправленное описание")
    workflow_state.refresh_from_db()
    assert workflow_state.status == workflow_state.STATUS_APPROVED


def test_editors_find_case_fields_and_taxonomies_in_the_admin(client, editor, en):
    case = CaseStudyPage.objects.filter(locale=en).first()
    client.force_login(editor)
    response = client.get(reverse("wagtailadmin_pages:edit", args=(case.pk,)))
    assert response.status_code == 200
    html = response.content.decode()
    for tab in ("Classification", "Story", "Metrics, links and contacts"):
        assert tab in html
    form = response.context["form"]
    topics = form.fields["topics"]
    assert topics.queryset.count() == 8, "each term offered once (the default locale's)"
    assert "Public budget" in [label for _value, label in topics.choices]
    assert client.get(reverse("wagtailsnippets_manual_topic:list")).status_code == 200


def test_a_russian_page_form_labels_terms_in_russian(editor, ru):
    # (The admin opens translated pages in wagtail-localize's editor; the page form still serves
    # editors who convert a translation into an independent page.)
    case = CaseStudyPage.objects.filter(locale=ru).first()
    form_class = CaseStudyPage.get_edit_handler().get_form_class()
    form = form_class(instance=case, for_user=editor, parent_page=case.get_parent())
    assert "Государственный бюджет" in [label for _value, label in form.fields["topics"].choices]
