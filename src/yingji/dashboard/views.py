from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from yingji.dashboard import rules


@login_required
@require_safe
def home(request):
    enterprises = rules.scoped_enterprises(request.user)
    division = request.user.division
    by_division = rules.counts_by_child_division(enterprises, division) if division else []
    risk_by_division = rules.risk_counts_by_child_division(enterprises, division) if division else []
    return render(
        request,
        "dashboard/home.html",
        {
            "kpis": rules.enterprise_kpis(enterprises),
            "risk": rules.risk_counts(enterprises),
            "risk_by_division": risk_by_division,
            "risk_by_industry": rules.risk_counts_by_industry(enterprises),
            "by_division": by_division,
            "division": division,
            "points_url": reverse("registry:enterprise_points"),
        },
    )
