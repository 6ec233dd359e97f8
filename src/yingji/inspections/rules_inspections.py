"""Inspection rules (pure): who may record, when an inspection may finish, deadlines, and whether a
QR check-in was made far from the enterprise."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils.translation import gettext as _

from yingji.core import geo

DEFAULT_FAR_M = 500.0
MAX_PHOTOS = 9
RESULTS = ("pass", "fail", "na")
KINDS = ("routine", "planned", "special", "reinspection")


def far_threshold_m() -> float:
    """Metres from the enterprise beyond which a check-in is flagged (YINGJI_CHECKIN_FAR_METRES)."""
    return float(getattr(settings, "CHECKIN_FAR_METRES", DEFAULT_FAR_M))


class InspectionRefused(Exception):
    """An action refused for who the actor is (status 403) or the inspection's state (409)."""

    def __init__(self, code: str, message: str, status: int = 409):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def refusal_to_record(*, status: str, is_inspector: bool) -> InspectionRefused | None:
    """Results, findings and finishing: only the inspection's inspectors, only while in progress."""
    if not is_inspector:
        return InspectionRefused(
            "not_inspector", _("Only the inspectors of this inspection may record it."), status=403
        )
    if status != "in_progress":
        return InspectionRefused("finished", _("The inspection is finished; it can no longer be changed."))
    return None


def unanswered(item_ids: list[int], answered_ids: set[int]) -> list[int]:
    return [pk for pk in item_ids if pk not in answered_ids]


def deadline_for(today: datetime.date, days: int) -> datetime.date:
    return today + datetime.timedelta(days=max(1, days))


def coordinate_errors(latitude: float | None, longitude: float | None) -> dict[str, str]:
    """Both or neither; within the WGS-84 ranges."""
    errors: dict[str, str] = {}
    if (latitude is None) != (longitude is None):
        errors["latitude" if latitude is None else "longitude"] = _(
            "Give both latitude and longitude, or neither."
        )
        return errors
    if latitude is not None and not -90 <= latitude <= 90:
        errors["latitude"] = _("The latitude must be between -90 and 90.")
    if longitude is not None and not -180 <= longitude <= 180:
        errors["longitude"] = _("The longitude must be between -180 and 180.")
    return errors


def check_in_distance(
    enterprise_lng: float | None,
    enterprise_lat: float | None,
    longitude: float | None,
    latitude: float | None,
    threshold_m: float | None = None,
) -> tuple[float | None, bool]:
    """(distance in metres or None when either place is unknown, far?). An unknown location is not
    flagged as far: it is recorded as unknown."""
    if None in (enterprise_lng, enterprise_lat, longitude, latitude):
        return None, False
    distance = geo.distance_m(enterprise_lng, enterprise_lat, longitude, latitude)  # type: ignore[arg-type]
    limit = far_threshold_m() if threshold_m is None else threshold_m
    return distance, distance > limit
