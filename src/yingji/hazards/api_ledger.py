"""/api/v1/ledger: the open items by town, industry and age, and the statistics (see docs/api.md)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router

from yingji.core.api import ApiError, require_perm
from yingji.hazards import statistics

router = Router(tags=["hidden dangers"])


def _bad_parameters(form) -> ApiError:
    return ApiError(400, "invalid_filter", _("Some parameters are not valid."), statistics.form_errors(form))


@router.get("/summary", url_name="ledger_summary", summary="Open hidden dangers by town, industry and age")
def ledger_summary(
    request,
    division: str = "",
    industry: str = "",
    source: str = "",
    grade: str = "",
    age: str = "",
    overdue: str = "",
):
    """Open items (status other than closed) in your jurisdiction, with how many are major, overdue and
    under supervised listing; `ages` counts them by days since reported (0-30, 31-90, 91-180, 181+)."""
    require_perm(request, "hazards.view_hazard")
    form = statistics.LedgerForm(request.GET)
    if not form.is_valid():
        raise _bad_parameters(form)
    filters = {**form.filters(), "age": form.cleaned_data["age"], "overdue": form.cleaned_data["overdue"]}
    book = statistics.ledger(request.user, filters=filters)
    return {
        "total": book.total.as_dict(),
        "by_town": [r.as_dict() for r in book.by_town],
        "by_industry": [r.as_dict() for r in book.by_industry],
        "by_age": [r.as_dict() for r in book.by_age],
    }


@router.get("/statistics", url_name="ledger_statistics", summary="Hidden-danger statistics for a period")
def ledger_statistics(
    request,
    group_by: str = "month",
    start: str = "",
    end: str = "",
    division: str = "",
    industry: str = "",
    source: str = "",
    grade: str = "",
):
    """Of the hidden dangers reported from `start` to `end` (YYYY-MM-DD, local days, default the last
    12 months), per `group_by` (month, town, industry, source or grade): found, closed, closure_rate
    (%), overdue_now (open past the deadline), closed_late, overdue_rate ((closed_late + overdue_now) /
    found, %), avg_days_to_close."""
    require_perm(request, "hazards.view_hazard")
    form = statistics.StatisticsForm(request.GET)
    if not form.is_valid():
        raise _bad_parameters(form)
    data = form.cleaned_data
    result = statistics.summary(
        request.user, start=data["start"], end=data["end"], group_by=data["group_by"], filters=form.filters()
    )
    return {
        "group_by": result.group_by,
        "start": result.start.isoformat(),
        "end": result.end.isoformat(),
        "rows": [r.as_dict() for r in result.rows],
        "total": result.total.as_dict(),
    }
