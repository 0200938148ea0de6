"""The answer to a sign-in refused because the account or the address is locked (django-axes).

A page that says when to try again, status 429 with ``Retry-After``: axes' default is a bare line
of text. The cool-off starts again at each failed attempt, so "again in N minutes" counts from now.
"""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_cool_off, get_failure_limit
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    context = {"minutes": max(1, math.ceil(seconds / 60)), "limit": get_failure_limit(request, credentials)}
    response = render(request, "admin_lockout.html", context, status=429)
    if seconds:
        response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response
