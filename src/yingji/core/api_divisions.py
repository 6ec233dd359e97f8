from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from yingji.core import divisions
from yingji.core.api import ApiError, page_of, require_perm
from yingji.core.models import Division

router = Router(tags=["divisions"])


class DivisionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None
    longitude: float | None
    latitude: float | None


def serialize(d: Division) -> dict:
    return {
        "code": d.code,
        "name": d.name,
        "level": d.level,
        "parent": d.parent_id,
        "longitude": d.longitude,
        "latitude": d.latitude,
    }


@router.get("", summary="Divisions in your jurisdiction (filter by parent or level)")
def list_divisions(request, parent: str | None = None, level: str | None = None):
    require_perm(request, "core.view_division")
    queryset = Division.objects.for_user(request.user)
    if parent:
        code = divisions.normalise_code(parent)
        if not divisions.is_valid_code(code):
            raise ApiError(
                400,
                "invalid_filter",
                _("Some filters are not valid."),
                {"parent": [_("Not a division code.")]},
            )
        queryset = queryset.filter(parent_id=code)
    if level:
        if level not in divisions.LEVELS:
            raise ApiError(
                400,
                "invalid_filter",
                _("Some filters are not valid."),
                {"level": [_("One of: {levels}.").format(levels=", ".join(divisions.LEVELS))]},
            )
        queryset = queryset.filter(level=level)
    return page_of(queryset, request, serialize)


@router.get("/{code}", response=DivisionOut, summary="One division")
def get_division(request, code: str):
    require_perm(request, "core.view_division")
    return serialize(
        get_object_or_404(Division.objects.for_user(request.user), code=divisions.normalise_code(code))
    )
