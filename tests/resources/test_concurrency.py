"""Two concurrent issues of the same stock on PostgreSQL: stock never goes negative."""

from __future__ import annotations

import os
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from tests.conftest import TOWN_A, remove_audit_rows

from yingji.resources import services
from yingji.resources.models import Stock, StockMovement, SupplyItem, Warehouse

ON_POSTGRES = os.environ.get("YINGJI_DATABASE_URL", "").startswith("postgres")


@pytest.fixture
def committed_admin(admin_user):
    yield admin_user
    remove_audit_rows()


@pytest.mark.skipif(
    not ON_POSTGRES, reason="concurrent writers need PostgreSQL (SQLite writes one at a time)"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_never_go_negative(committed_admin):
    warehouse = Warehouse.objects.create(
        name="甲镇仓库", level="town", division_id=TOWN_A, latitude=32.0, longitude=120.9
    )
    item = SupplyItem.objects.get(code="tent")
    services.receive_stock(actor=committed_admin, warehouse=warehouse, item=item, quantity=10, reason="采购")
    stock = Stock.objects.get()
    start = threading.Barrier(4)
    done, refused, errors = [], [], []

    def worker():
        from django.db import connections

        try:
            start.wait()
            services.issue_stock(actor=committed_admin, stock_id=stock.pk, quantity=4, reason="调拨")
            done.append(1)
        except ValidationError as error:
            refused.append(error.error_dict["quantity"][0].code)
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(done) == 2 and refused == ["above_stock", "above_stock"]
    assert Stock.objects.get().quantity == Decimal("2")
    assert StockMovement.objects.filter(kind="out").count() == 2
