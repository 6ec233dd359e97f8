"""Public reports (有奖举报): submitted by anyone without an account, handled by the bureau.

`submit_report` checks everything (honeypot, challenge, flood limits, fields, photos) before it writes
anything. The bureau then accepts a report (it becomes a hidden danger with the report's photos as
before photos), dismisses it with a reason, and may grant a reward for an accepted one. Each change
runs in one transaction under a row lock and is audited (PublicReport is registered with the audit
trail; the reporter's name, phone and client key are left out of it).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import audit, uploads
from yingji.core.identifiers import normalise_phone
from yingji.core.models import Division
from yingji.hazards import rules_reports, services
from yingji.hazards.models import Hazard, PublicReport, ReportPhoto, ReportStatus
from yingji.hazards.rules import TransitionError
from yingji.registry.models import Enterprise
from yingji.registry.validators import validate_latitude, validate_longitude, validate_phone

HANDLE_PERMISSION = "hazards.handle_publicreport"
HONEYPOT_FIELD = "website"


class RateLimited(Exception):
    """Too many reports from one client address: the page and the API answer 429."""

    code = "rate_limited"

    def __init__(self, window: str):
        self.window = window
        if window == "hour":
            message = _("Too many reports from your network in the last hour. Please try again later.")
        else:
            message = _("Too many reports from your network today. Please try again tomorrow.")
        super().__init__(message)
        self.message = message


# -- the places the public may report in --------------------------------------------------------------


def public_county_prefixes() -> list[str]:
    """The division prefixes the public may report in: the jurisdictions of the bureau's admins and
    staff (a small table), else the counties holding enterprises."""
    from yingji.accounts.models import User

    prefixes = set()
    for user in User.objects.filter(
        is_active=True, role__in=["bureau_admin", "bureau_staff"], division__isnull=False
    ).select_related("division"):
        if user.division.level in ("city", "county", "town"):
            prefixes.add(user.division.prefix)
    if not prefixes:
        prefixes = set(
            Enterprise.objects.annotate(county=Substr("division_id", 1, 6))
            .values_list("county", flat=True)
            .distinct()
        )
    return sorted(p for p in prefixes if len(p) >= 4)


def _in_counties(prefixes: Iterable[str]) -> Q:
    query = Q(pk__in=[])
    for prefix in prefixes:
        query |= Q(code__startswith=prefix)
    return query


def public_towns():
    return Division.objects.filter(_in_counties(public_county_prefixes()), level="town").order_by("code")


def public_villages(town_code: str):
    """The villages of a town the public may report in (none for a town outside the bureau)."""
    town = public_towns().filter(code=town_code).first()
    if town is None:
        return Division.objects.none()
    return Division.objects.filter(code__startswith=town.prefix, level="village").order_by("code")


def _place(town_code: str, village_code: str) -> Division:
    town = public_towns().filter(code=(town_code or "").strip()).first()
    if town is None:
        raise ValidationError({"town": _("Choose the town or street.")})
    if not (village_code or "").strip():
        return town
    village = public_villages(town.code).filter(code=village_code.strip()).first()
    if village is None:
        raise ValidationError({"village": _("Choose a village or community of this town.")})
    return village


# -- submitting ---------------------------------------------------------------------------------------


def check_rate_limit(ip: str, *, now: datetime.datetime | None = None) -> str:
    """The client key of `ip`; raises RateLimited when it has sent its allowance already."""
    now = now or timezone.now()
    key = rules_reports.client_key(ip, settings.SECRET_KEY)
    recent = PublicReport.objects.filter(client_key=key, created_at__gte=now - datetime.timedelta(days=1))
    window = rules_reports.over_limit(
        last_hour=recent.filter(created_at__gte=now - datetime.timedelta(hours=1)).count(),
        last_day=recent.count(),
        per_hour=settings.PUBLIC_REPORT_PER_HOUR,
        per_day=settings.PUBLIC_REPORT_PER_DAY,
    )
    if window is not None:
        raise RateLimited(window)
    return key


def _text(value, field: str, max_length: int, *, required: bool, message: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message or _("This field is required.")})
    if len(value) > max_length:
        raise ValidationError({field: _("At most {n} characters.").format(n=max_length)})
    return value


def _coordinate(value, field: str, validator) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    try:
        validator(number)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    return number


def submit_report(
    *,
    town: str,
    village: str = "",
    location: str,
    description: str,
    enterprise_name: str = "",
    longitude=None,
    latitude=None,
    reporter_name: str = "",
    reporter_phone: str = "",
    photos: Sequence | None = None,
    challenge_token: str,
    challenge_answer: str,
    honeypot: str = "",
    client_ip: str,
    now: datetime.datetime | None = None,
) -> PublicReport:
    """Store a report from the public and return it (its tracking code is what the reporter keeps).

    Raises ValidationError naming the field, or RateLimited; either way nothing is stored."""
    if (honeypot or "").strip():
        raise ValidationError({"__all__": _("The report could not be accepted.")}, code="honeypot")
    problem = rules_reports.challenge_problem(challenge_token, challenge_answer)
    if problem == "expired":
        raise ValidationError({"challenge_answer": _("The question has expired; answer the new one.")})
    if problem is not None:
        raise ValidationError({"challenge_answer": _("The answer to the question is wrong.")})
    key = check_rate_limit(client_ip, now=now)
    division = _place(town, village)
    location = _text(location, "location", 200, required=True, message=_("Say where the danger is."))
    description = _text(description, "description", 5000, required=True, message=_("Describe what you saw."))
    enterprise_name = _text(enterprise_name, "enterprise_name", 200, required=False)
    reporter_name = _text(reporter_name, "reporter_name", 50, required=False)
    phone = normalise_phone(reporter_phone or "")
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as error:
            raise ValidationError({"reporter_phone": error.messages}) from None
    lng = _coordinate(longitude, "longitude", validate_longitude)
    lat = _coordinate(latitude, "latitude", validate_latitude)
    if (lng is None) != (lat is None):
        raise ValidationError({"longitude": _("Give both longitude and latitude, or neither.")})
    files = list(photos or [])
    if len(files) > rules_reports.MAX_PHOTOS:
        raise ValidationError({"photos": _("At most {n} photos.").format(n=rules_reports.MAX_PHOTOS)})
    images = [uploads.validate_image(f, field="photos") for f in files]
    with transaction.atomic():
        report = _create_with_unique_code(
            division=division,
            enterprise_name=enterprise_name,
            location=location,
            longitude=lng,
            latitude=lat,
            description=description,
            reporter_name=reporter_name,
            reporter_phone=phone,
            client_key=key,
        )
        for image in images:
            ReportPhoto.objects.create(report=report, **image.fields())
    return report


def _create_with_unique_code(**fields) -> PublicReport:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return PublicReport.objects.create(tracking_code=rules_reports.new_tracking_code(), **fields)
        except IntegrityError:  # the same code drawn twice (one in 10^14): draw again
            continue
    raise RuntimeError("could not draw a unique tracking code")


def find_by_tracking_code(code: str) -> PublicReport | None:
    code = rules_reports.normalise_tracking_code(code)
    if not rules_reports.looks_like_tracking_code(code):
        return None
    return PublicReport.objects.filter(tracking_code=code).select_related("hazard").first()


# -- handling -----------------------------------------------------------------------------------------


def _locked(report: PublicReport, actor) -> PublicReport:
    """The report under a row lock, after checking the actor may handle it."""
    if actor is None or not actor.has_perm(HANDLE_PERMISSION):
        raise PermissionDenied
    try:
        return PublicReport.objects.for_user(actor).select_for_update().get(pk=report.pk)
    except PublicReport.DoesNotExist:
        raise PermissionDenied from None


def _must_be_received(report: PublicReport) -> None:
    if report.status != ReportStatus.RECEIVED:
        raise TransitionError("already_handled", _("This report has already been handled."))


def accept_report(
    report: PublicReport,
    *,
    actor,
    title: str,
    enterprise: Enterprise | None = None,
    grade: str = "general",
    criteria: Iterable[str] | None = None,
    now: datetime.datetime | None = None,
) -> Hazard:
    """Accept the report as a hidden danger (source: public report) with its photos as before photos."""
    now = now or timezone.now()
    with transaction.atomic(), audit.acting_as(actor, audit.current_actor().ip):
        report = _locked(report, actor)
        _must_be_received(report)
        description = report.description
        if report.enterprise_name:
            description = f"{report.enterprise_name}\n{description}"
        files = [photo.file.open("rb") for photo in report.photos.all()]
        try:
            hazard = services.report_hazard(
                actor=actor,
                title=title,
                source="public_report",  # Source.PUBLIC_REPORT
                enterprise=enterprise,
                division=None if enterprise is not None else report.division,
                description=description,
                location=report.location,
                grade=grade,
                criteria=criteria,
                photos=files,
                note=_("Public report {code}").format(code=report.tracking_code),
                now=now,
            )
        finally:
            for handle in files:
                handle.close()
        report.status, report.hazard = ReportStatus.ACCEPTED, hazard
        report.handled_by, report.handled_at = actor, now
        report.save(update_fields=["status", "hazard", "handled_by", "handled_at"])
    return hazard


def dismiss_report(
    report: PublicReport, *, actor, reason: str, now: datetime.datetime | None = None
) -> PublicReport:
    now = now or timezone.now()
    reason = _text(reason, "reason", 500, required=True, message=_("Give the reason for the dismissal."))
    with transaction.atomic(), audit.acting_as(actor, audit.current_actor().ip):
        report = _locked(report, actor)
        _must_be_received(report)
        report.status, report.dismissal_reason = ReportStatus.DISMISSED, reason
        report.handled_by, report.handled_at = actor, now
        report.save(update_fields=["status", "dismissal_reason", "handled_by", "handled_at"])
    return report


def grant_reward(
    report: PublicReport, *, actor, amount_yuan, note: str = "", now: datetime.datetime | None = None
) -> PublicReport:
    """Record the reward (奖励) for an accepted report, once."""
    now = now or timezone.now()
    try:
        amount = Decimal(str(amount_yuan)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount_yuan": _("Enter an amount in yuan.")}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount_yuan": _("The reward must be more than zero.")})
    if amount >= Decimal("100000000"):
        raise ValidationError({"amount_yuan": _("The reward is too large.")})
    note = _text(note, "note", 300, required=False)
    with transaction.atomic(), audit.acting_as(actor, audit.current_actor().ip):
        report = _locked(report, actor)
        if report.status != ReportStatus.ACCEPTED:
            raise TransitionError("not_accepted", _("Only an accepted report can be rewarded."))
        if report.reward_granted_at is not None:
            raise TransitionError(
                "already_rewarded", _("The reward for this report has already been granted.")
            )
        report.reward_yuan, report.reward_note, report.reward_granted_at = amount, note, now
        report.save(update_fields=["reward_yuan", "reward_note", "reward_granted_at"])
    return report
