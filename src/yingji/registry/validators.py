"""Field validators for the registry; messages are shown to people, so they are translated."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from yingji.core import geo
from yingji.core.identifiers import phone_problem, uscc_problem

USCC_MESSAGES = {
    "length": _("A unified social credit code has 18 characters."),
    "characters": _("The unified social credit code contains characters that are not allowed."),
    "check_char": _("The check character (18th) of the unified social credit code is wrong."),
}


def validate_uscc(value: str) -> None:
    problem = uscc_problem(value)
    if problem:
        raise ValidationError(USCC_MESSAGES[problem], code=f"uscc_{problem}")


def validate_phone(value: str) -> None:
    if value and phone_problem(value):
        raise ValidationError(_("Not a valid mobile or landline number."), code="phone_format")


def validate_longitude(value: float) -> None:
    if value is not None and not geo.CHINA_LNG[0] <= value <= geo.CHINA_LNG[1]:
        raise ValidationError(
            _("The longitude must be inside China ({low}–{high}).").format(
                low=geo.CHINA_LNG[0], high=geo.CHINA_LNG[1]
            ),
            code="longitude_outside_china",
        )


def validate_latitude(value: float) -> None:
    if value is not None and not geo.CHINA_LAT[0] <= value <= geo.CHINA_LAT[1]:
        raise ValidationError(
            _("The latitude must be inside China ({low}–{high}).").format(
                low=geo.CHINA_LAT[0], high=geo.CHINA_LAT[1]
            ),
            code="latitude_outside_china",
        )
