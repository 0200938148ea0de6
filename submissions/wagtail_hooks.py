"""Wagtail admin integration of submissions: the history entry of a page made from a submission, and
the submissions admin (``admin_views.SubmissionViewSet``: listing, detail, downloads, actions)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from submissions.services.convert import CONVERT_LOG_ACTION


@hooks.register("register_log_actions")
def register_submission_log_actions(actions) -> None:
    actions.register_action(CONVERT_LOG_ACTION, _("Made from a submission"), _("Made from a practitioner's submission"))


@hooks.register("register_admin_viewset")
def register_submissions_viewset():
    from submissions.admin_views import SubmissionViewSet

    return SubmissionViewSet()
