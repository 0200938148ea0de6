"""What the submissions app does, one module per step, in the order a submission takes them:

``intake`` (read the request, idempotency, rate limit, the CAPTCHA of its channel) -> ``validate``
(the document, with ``files`` for attachments; body text is made safe by ``submissions.rich_text``)
-> ``store`` (all or nothing) -> ``convert`` (a draft case study) -> ``review`` (Wagtail's
"Editorial review" workflow, and the submission's status following it). ``status`` keeps the
audit log of every transition; ``idempotency`` and ``captcha`` hold the abuse defences intake uses
(with ``core.ratelimit``); ``personal_data`` exports, erases and purges what submitters left.

Services import models and each other, never views, the API or the admin. Background work is a
django-tasks task defined beside the function it runs (``convert.convert_submission_task``,
``notifications.send_notification_task``, ``media.release_files_task``), queued after the commit.
"""
