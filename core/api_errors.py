"""The one error shape of the API: ``{"errors": [{"field", "code", "message"}]}``."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext
from ninja import Schema


class ErrorItem(Schema):
    field: str | None
    code: str
    message: str


class ErrorList(Schema):
    errors: list[ErrorItem]


@dataclass
class ApiError(Exception):
    """Raised by services and routes; answered with its status and the error list."""

    status: int
    code: str
    message: str
    field: str | None = None

    def as_body(self) -> dict:
        return {"errors": [{"field": self.field, "code": self.code, "message": self.message}]}


class InvalidInput(ApiError):
    def __init__(self, field: str | None, message: str, code: str = "invalid") -> None:
        super().__init__(400, code, message, field)


class NotFound(ApiError):
    def __init__(self, message: str | None = None, field: str | None = None) -> None:
        super().__init__(404, "not_found", gettext("Not found.") if message is None else message, field)


ERROR_RESPONSES = {400: ErrorList, 404: ErrorList}

# Bounds of every integer the API reads: a number past them is a 400 naming the parameter, never an
# overflow in the database (SQLite and PostgreSQL integers stop at 2**63 - 1, and an OFFSET of
# page * page_size must fit too).
MAX_ID = 2**63 - 1
MAX_PAGE = 10_000
