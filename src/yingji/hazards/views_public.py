"""The public report page (有奖举报): no login. Submit a report, see its tracking code, track it."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from yingji.core import audit
from yingji.core.views import add_validation_errors
from yingji.hazards import rules_reports, services_reports
from yingji.hazards.forms_reports import PublicReportForm, TrackForm
from yingji.hazards.models import HazardEvent
from yingji.hazards.services_reports import HONEYPOT_FIELD, RateLimited

SESSION_KEY = "public_report_code"


def _render_form(request, form, status=200, rate_limited: str = ""):
    challenge = rules_reports.new_challenge()
    context = {
        "form": form,
        "challenge": challenge,
        "honeypot": form[HONEYPOT_FIELD],
        "max_photos": rules_reports.MAX_PHOTOS,
        "rate_limited": rate_limited,
    }
    return render(request, "hazards/public_report_form.html", context, status=status)


def _prefill(query) -> dict:
    """Initial values from the query string: the enterprise's name and its town/village code."""
    initial = {"enterprise_name": query.get("enterprise_name", "")[:200]}
    code = query.get("division", "")
    if len(code) == 12 and code.isdigit():
        initial["town"] = code[:9] + "000"
        if not code.endswith("000"):
            initial["village"] = code
    return initial


@require_http_methods(["GET", "POST"])
def report_form(request):
    if request.method == "GET":  # an enterprise's QR poster sends its name and division along
        return _render_form(request, PublicReportForm(initial=_prefill(request.GET)))
    form = PublicReportForm(request.POST)
    form.is_valid()  # parse what can be parsed; the service decides
    data = request.POST
    try:
        report = services_reports.submit_report(
            town=data.get("town", ""),
            village=data.get("village", ""),
            location=data.get("location", ""),
            description=data.get("description", ""),
            enterprise_name=data.get("enterprise_name", ""),
            longitude=data.get("longitude") or None,
            latitude=data.get("latitude") or None,
            reporter_name=data.get("reporter_name", ""),
            reporter_phone=data.get("reporter_phone", ""),
            photos=request.FILES.getlist("photos"),
            challenge_token=data.get("challenge_token", ""),
            challenge_answer=data.get("challenge_answer", ""),
            honeypot=data.get(HONEYPOT_FIELD, ""),
            client_ip=audit.client_ip(request),
        )
    except RateLimited as error:
        return _render_form(request, form, status=429, rate_limited=error.message)
    except ValidationError as error:
        _add_errors(form, error)
        return _render_form(request, form, status=400)
    request.session[SESSION_KEY] = report.tracking_code
    return HttpResponseRedirect(reverse("public:report_done"))


def _add_errors(form, error: ValidationError) -> None:
    """The service's error on the form, unless the form already says what is wrong with that field."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            name = field if field in form.fields else None
            if name is None or name not in form.errors:
                form.add_error(name, messages)
    else:
        add_validation_errors(form, error)
    form.style_fields()


@require_GET
def report_done(request):
    code = request.session.get(SESSION_KEY, "")
    return render(request, "hazards/public_report_done.html", {"code": code})


@require_GET
def report_track(request):
    form = TrackForm(request.GET or None)
    report = None
    searched = False
    if form.is_bound and form.is_valid():
        searched = True
        report = services_reports.find_by_tracking_code(form.cleaned_data["code"])
    status = 404 if searched and report is None else 200
    return render(
        request,
        "hazards/public_report_track.html",
        {"form": form, "report": report, "searched": searched},
        status=status,
    )


@require_GET
def report_villages(request):
    """The villages of a town for the second select: [{"code", "name"}]."""
    villages = services_reports.public_villages(request.GET.get("town", ""))
    return JsonResponse({"items": [{"code": d.code, "name": d.name} for d in villages]})


# The public notices (公示): supervised listings (挂牌) and delistings (摘牌), and the exposure list (曝光)
# of hidden dangers left unrectified past the end of the escalation ladder. Public by design.
NOTICE_ACTIONS = {
    "list": _("Listed for supervision"),
    "sign_off": _("Delisted (rectified and signed off)"),
    "escalation_exposure": _("Exposed: not rectified long after the deadline"),
}
NOTICE_DAYS = 365
NOTICE_LIMIT = 200


@require_GET
def notices(request):
    since = timezone.now() - datetime.timedelta(days=NOTICE_DAYS)
    events = (
        HazardEvent.objects.filter(action__in=NOTICE_ACTIONS, at__gte=since)
        .select_related("hazard__enterprise", "hazard__division")
        .order_by("-at", "-id")[:NOTICE_LIMIT]
    )
    rows = [(event, NOTICE_ACTIONS[event.action]) for event in events]
    return render(request, "hazards/public_notices.html", {"rows": rows, "days": NOTICE_DAYS})
