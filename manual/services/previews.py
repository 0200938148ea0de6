"""Headless previews (wagtail-headless-preview): tokens that expire, and rows that go away.

The library signs a preview token with a timestamp but never checks its age, and deletes a stored
draft only on the day after next, and only when someone previews again. A preview link is a
bearer secret for an unpublished draft (it may be forwarded, or end up in a browser history), so
it works for ``HEADLESS_PREVIEW_MAX_AGE`` seconds, and ``manage.py purge_previews`` deletes the
drafts of expired tokens.
"""

from __future__ import annotations

from django.conf import settings
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from wagtail.models import Page
from wagtail_headless_preview.models import HeadlessPreviewMixin, PagePreview


class PreviewExpired(Exception):
    """The token was genuine but is older than HEADLESS_PREVIEW_MAX_AGE."""


def _signer() -> TimestampSigner:
    return HeadlessPreviewMixin.get_preview_signer()


def find_preview(model: type[HeadlessPreviewMixin], token: str) -> Page | None:
    """The draft of a live preview token; None for a forged or unknown one; PreviewExpired when too old."""
    try:
        _signer().unsign(token, max_age=settings.HEADLESS_PREVIEW_MAX_AGE)
    except SignatureExpired:
        PagePreview.objects.filter(token=token).delete()
        raise PreviewExpired from None
    except BadSignature:
        return None
    return model.get_page_from_preview_token(token)


def purge_expired_previews(dry_run: bool = False) -> int:
    """Delete the stored drafts whose token expired (or was never valid); return how many."""
    signer = _signer()
    expired = []
    # A few rows at most (one per page being previewed): reading the tokens is cheaper than
    # keeping a second, day-precision date (created_at) in step with the token's own timestamp.
    for pk, token in PagePreview.objects.values_list("pk", "token").iterator():
        try:
            signer.unsign(token, max_age=settings.HEADLESS_PREVIEW_MAX_AGE)
        except BadSignature:
            expired.append(pk)
    if not dry_run and expired:
        PagePreview.objects.filter(pk__in=expired).delete()
    return len(expired)
