"""The JSON API under /api/v1/: auth (session or bearer token), one error shape, pagination helpers.

Errors always look like {"code": "<stable machine code>", "message": "<human text>", "fields": {...}}.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth

MAX_PAGE_SIZE = 500


class ApiError(HttpError):
    """An error with a stable machine code and optional per-field messages."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(status, message)
        self.code = code
        self.fields = fields or {}


class ActiveSessionAuth(SessionAuth):
    """Django session login (with CSRF on unsafe methods), for the browser."""


def install_error_handlers(api: NinjaAPI) -> None:
    """Make every error of `api` take the one shape {"code", "message", "fields"}."""

    def respond(request, status: int, code: str, message: str, fields: dict | None = None):
        return api.create_response(
            request, {"code": code, "message": message, "fields": fields or {}}, status=status
        )

    @api.exception_handler(ApiError)
    def _api_error(request, exc: ApiError):
        return respond(request, exc.status_code, exc.code, exc.message, exc.fields)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return respond(request, 401, "unauthorized", _("Log in or send a valid bearer token."))

    @api.exception_handler(HttpError)
    def _http_error(request, exc: HttpError):
        codes = {
            400: "bad_request",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
        }
        return respond(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))

    @api.exception_handler(NinjaValidationError)
    def _invalid_input(request, exc: NinjaValidationError):
        fields: dict[str, list[str]] = {}
        for item in exc.errors:
            location = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path", "payload")]
            fields.setdefault(".".join(location) or "__all__", []).append(item.get("msg", ""))
        return respond(request, 400, "invalid_input", _("The request is not valid."), fields)

    @api.exception_handler(DjangoValidationError)
    def _invalid_data(request, exc: DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return respond(request, 400, "invalid_data", _("The data is not valid."), fields)

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return respond(request, 404, "not_found", _("Not found."))

    @api.exception_handler(PermissionDenied)
    def _forbidden(request, exc):
        return respond(request, 403, "forbidden", _("You may not do this."))


def require_perm(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def page_of(queryset, request, serialize) -> dict:
    """{"items": [...], "count": N, "page": p, "page_size": s} from ?page= and ?page_size=."""
    try:
        page_number = int(request.GET.get("page", 1))
        page_size = int(request.GET.get("page_size", 50))
    except ValueError:
        raise ApiError(400, "invalid_page", _("page and page_size must be whole numbers.")) from None
    if page_number < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ApiError(
            400,
            "invalid_page",
            _("page must be at least 1 and page_size between 1 and {max}.").format(max=MAX_PAGE_SIZE),
        )
    paginator = Paginator(queryset, page_size)
    try:
        items = paginator.page(page_number).object_list
    except EmptyPage:
        items = []
    return {
        "items": [serialize(obj) for obj in items],
        "count": paginator.count,
        "page": page_number,
        "page_size": page_size,
    }


def filtered_or_400(filterset_class, request, queryset):
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ApiError(
            400,
            "invalid_filter",
            _("Some filters are not valid."),
            {name: [str(e) for e in errors] for name, errors in filterset.errors.items()},
        )
    return filterset.qs
