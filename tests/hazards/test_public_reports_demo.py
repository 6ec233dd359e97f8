import random

from django.utils import timezone

from yingji.demo.reports import seed_public_reports
from yingji.hazards.models import Hazard, PublicReport, ReportStatus, Source


def test_demo_reports_cover_every_status_and_a_rerun_adds_nothing(staff_user, enterprise_a, enterprise_b):
    now = timezone.now()
    assert seed_public_reports(random.Random(1), now) == 12
    statuses = set(PublicReport.objects.values_list("status", flat=True))
    assert statuses == set(ReportStatus.values)
    accepted = PublicReport.objects.filter(status=ReportStatus.ACCEPTED)
    assert all(r.hazard.source == Source.PUBLIC_REPORT for r in accepted)
    assert accepted.filter(reward_granted_at__isnull=False).count() == 2
    assert all(r.created_at < now for r in PublicReport.objects.all())
    assert seed_public_reports(random.Random(1), now) == 0
    assert PublicReport.objects.count() == 12 and Hazard.objects.count() == accepted.count()
