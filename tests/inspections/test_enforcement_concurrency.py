"""Document numbers under concurrent requests on PostgreSQL: unique and gap-free, and a request that
fails after taking its number gives it back."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import transaction
from tests.conftest import COUNTY, remove_audit_rows
from tests.inspections.scoping_enforcement import make_inspection

from yingji.inspections import numbering
from yingji.inspections import services_enforcement as services
from yingji.inspections.models_enforcement import DocumentCounter, EnforcementDocument

ON_POSTGRES = os.environ.get("YINGJI_DATABASE_URL", "").startswith("postgres")
WORKERS = 8


@pytest.fixture
def committed_admin(admin_user):
    yield admin_user
    remove_audit_rows()


def _run(workers: int, work) -> list[Exception]:
    start = threading.Barrier(workers)
    errors: list[Exception] = []

    def worker(index: int):
        from django.db import connections

        try:
            start.wait()
            work(index)
        except Exception as error:  # noqa: BLE001 — reported by the caller
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.skipif(
    not ON_POSTGRES, reason="concurrent writers need PostgreSQL (SQLite writes one at a time)"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_get_unique_gap_free_numbers(committed_admin, enterprise_a):
    inspections = [make_inspection(enterprise_a, findings=1, actor=committed_admin) for _ in range(WORKERS)]

    def issue(index: int):
        services.issue_order(actor=committed_admin, inspection=inspections[index])

    assert _run(WORKERS, issue) == []
    seqs = sorted(
        EnforcementDocument.objects.filter(kind="rectification_order").values_list("seq", flat=True)
    )
    numbers = set(EnforcementDocument.objects.values_list("number", flat=True))
    assert seqs == list(range(1, WORKERS + 1)) and len(numbers) == WORKERS
    assert DocumentCounter.objects.get(kind="rectification_order").last == WORKERS


@pytest.mark.skipif(
    not ON_POSTGRES, reason="concurrent writers need PostgreSQL (SQLite writes one at a time)"
)
@pytest.mark.django_db(transaction=True)
def test_numbers_of_failed_concurrent_requests_are_given_back(committed_admin, county):
    taken: list[int] = []
    lock = threading.Lock()

    def assign(index: int):
        try:
            with transaction.atomic():
                _numbering, seq, _number = numbering.assign(COUNTY, "penalty_decision", 2026)
                if index % 2:
                    raise RuntimeError("the rest of the request failed")
                with lock:
                    taken.append(seq)
        except RuntimeError:
            pass

    assert _run(WORKERS, assign) == []
    # Only the committed half consumed numbers, and they are 1..n without a gap.
    assert sorted(taken) == list(range(1, WORKERS // 2 + 1))
    assert DocumentCounter.objects.get(kind="penalty_decision").last == WORKERS // 2
