"""Content-Security-Policy: a strict one for readers, a looser one for the Wagtail admin.

django-csp writes the header (settings.CONTENT_SECURITY_POLICY holds the reader's policy). The
reader's pages carry no script and no inline style (they work without JavaScript, docs/reader.md),
so an injected ``<script>`` or ``style`` attribute does nothing there. The Wagtail admin and
wagtail-localize's editor use inline scripts and styles: under ``/admin/`` the policy adds
``'unsafe-inline'`` (and the external preview front end as a frame), which still keeps the admin's
pages from loading anything from other sites. A response that sets its own header (the sandboxed
files of submissions) keeps it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

ADMIN_PREFIX = "/admin/"


def inline_style_hashes(template: Path) -> list[str]:
    """CSP hashes of the ``<style>`` elements of a template that must not depend on static files (500.html)."""
    styles = re.findall(r"<style>(.*?)</style>", template.read_text(encoding="utf-8"), re.S)
    return [f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'" for style in styles]


def reader_policy(base_dir: Path, image_hosts: list[str] | None = None) -> dict[str, list[str]]:
    """``image_hosts``: origins the reader's pages may show images from (the map's tile server)."""
    return {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, *inline_style_hashes(base_dir / "templates" / "500.html")],
        "img-src": [SELF, "data:", *(image_hosts or [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }


def admin_policy(reader: dict[str, list[str]], preview_client_url: str) -> dict[str, list[str]]:
    frames = [SELF]
    if preview_client_url:
        parts = urlsplit(preview_client_url)
        frames.append(f"{parts.scheme}://{parts.netloc}")
    return {
        **reader,
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        # Image choosers preview a chosen file as a blob: URL; avatars are the site's own.
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "frame-src": frames,
        # The page editor's preview panel frames the admin's own preview view.
        "frame-ancestors": [SELF],
    }


class PathPolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's policy under ADMIN_PREFIX."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None and request.path_info.startswith(ADMIN_PREFIX):
            parts.config = settings.CONTENT_SECURITY_POLICY_ADMIN
        return parts
