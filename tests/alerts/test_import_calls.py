"""A real (Actual) warning fed in as CAP is answered like one issued here: 叫应 starts for its targets.
An exercise calls nobody."""

from __future__ import annotations

from tests.alerts.conftest import JULY_25, sample
from tests.alerts.test_calls import call_list  # noqa: F401 - fixture

from yingji.alerts import services
from yingji.alerts.models import Call


def test_an_imported_actual_warning_starts_the_calls(call_list):  # noqa: F811
    warning = services.import_cap(sample("red_rainstorm_zh.xml"), now=JULY_25)
    called = set(Call.objects.filter(warning=warning, parent__isnull=True).values_list("name", flat=True))
    assert {"县指挥长", "甲镇镇长", "乙镇镇长", "甲村书记"} <= called


def test_an_imported_exercise_calls_nobody(call_list):  # noqa: F811
    xml = sample("red_rainstorm_zh.xml").replace(b"<status>Actual</status>", b"<status>Exercise</status>")
    warning = services.import_cap(xml, now=JULY_25)
    assert warning.status == "issued" and not Call.objects.filter(warning=warning).exists()
