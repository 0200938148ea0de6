"""What the submissions app does, one module per step, in the order a submission takes them:

``intake`` (read the request, idempotency, rate limit) -> ``validate`` (the document, with
``html`` for body text and ``files`` for attachments) -> ``store`` (all or nothing) ->
``convert`` (a draft case study) -> ``review`` (Wagtail's "Editorial review" workflow, and the
submission's status following it). ``status`` keeps the audit log of every transition;
``ratelimit`` and ``idempotency`` hold the abuse defences intake uses.
"""
