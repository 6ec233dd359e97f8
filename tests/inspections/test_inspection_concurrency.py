"""Finishing one inspection from several phones at once on PostgreSQL: it finishes once, and each failed
item becomes exactly one hidden danger."""

from __future__ import annotations

import os
import threading

import pytest
from tests.conftest import COUNTY, _user, remove_audit_rows

from yingji.hazards.models import Hazard
from yingji.inspections import services_checklists, services_inspections
from yingji.inspections.models_checklists import ChecklistTemplate, Finding
from yingji.inspections.rules_inspections import InspectionRefused

ON_POSTGRES = os.environ.get("YINGJI_DATABASE_URL", "").startswith("postgres")
WORKERS = 4


@pytest.mark.skipif(
    not ON_POSTGRES, reason="concurrent writers need PostgreSQL (SQLite writes one at a time)"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_finish_makes_each_hazard_once(enterprise_a):
    try:
        inspector = _user("insp", "inspector", COUNTY)
        services_checklists.load_shipped_templates()
        template = ChecklistTemplate.objects.get(code="confined_space")
        inspection = services_inspections.start_inspection(
            actor=inspector, enterprise=enterprise_a, template=template
        )
        for item in template.items.all():
            result = "fail" if item.number <= 2 else "pass"
            services_inspections.record_result(
                actor=inspector, inspection=inspection, item=item, result=result
            )
        start = threading.Barrier(WORKERS)
        outcomes: list[str] = []

        def finish():
            from django.db import connections

            try:
                start.wait()
                services_inspections.finish_inspection(actor=inspector, inspection=inspection)
                outcomes.append("ok")
            except InspectionRefused as refused:
                outcomes.append(refused.code)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=finish) for _ in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["finished"] * (WORKERS - 1) + ["ok"]
        assert Finding.objects.count() == 2 and Hazard.objects.count() == 2
    finally:
        remove_audit_rows()
