"""Wagtail admin integration of submissions: the history entry of a page made from a submission, and
the submissions admin (``admin_views.SubmissionViewSet``: listing, detail, downloads, actions), and
the choosers and document view kept from offering files of submissions in review."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from submissions.admin_views import SubmissionViewSet
from submissions.services import media
from submissions.services.convert import CONVERT_LOG_ACTION


@hooks.register("register_log_actions")
def register_submission_log_actions(actions) -> None:
    actions.register_action(CONVERT_LOG_ACTION, _("Made from a submission"), _("Made from a practitioner's submission"))


@hooks.register("register_admin_viewset")
def register_submissions_viewset():
    return SubmissionViewSet()


# --- files of submissions in review (services.media) ---------------------------------------------
# Translators may choose images and documents (granted on the root collection, which reaches every
# collection), but nothing unreviewed: the choosers leave out the "Submissions in review" collection
# for anyone without a permission granted on that collection itself.


@hooks.register("construct_image_chooser_queryset")
def hide_unpublished_images(images, request):
    return media.visible_to(images, request.user)


@hooks.register("construct_document_chooser_queryset")
def hide_unpublished_documents(documents, request):
    return media.visible_to(documents, request.user)


# Before Wagtail's own view-restriction check (order 0), which would send a stranger to the login
# page and so confirm that the document exists: a 404 says nothing.
@hooks.register("before_serve_document", order=-1)
def refuse_unpublished_documents(document, request):
    if media.is_unpublished(document) and not media.may_see_unpublished(request.user):
        raise Http404("No such document.")
    return None
