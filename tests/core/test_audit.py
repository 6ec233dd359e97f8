"""The audit trail: what it records, that nobody can change it, and the retention purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from tests.conftest import PASSWORD, VILLAGE_A, VILLAGE_B, make_uscc

from yingji.accounts.roles import Role, permissions_of
from yingji.core import audit
from yingji.core.models import AuditLog
from yingji.core.services import purge_audit_trail
from yingji.registry import services
from yingji.registry.models import Enterprise


def enterprise_form(**changes) -> dict:
    return {
        "name": "丙化工有限公司",
        "uscc": make_uscc(10),
        "industry": "26",
        "scale": "small",
        "division": VILLAGE_A,
        "status": "operating",
        "standardization": "none",
        **changes,
    }


def wrong_check_char(uscc: str) -> str:
    return uscc[:-1] + ("1" if uscc[-1] != "1" else "2")


def last(action: str) -> AuditLog:
    return AuditLog.objects.filter(action=action).first()


# What is recorded


def test_a_login_is_recorded_with_user_and_address(client, leader):
    client.post("/accounts/login/", {"username": "leader", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    record = last("login")
    assert record.user == leader and record.username == "leader" and record.ip == "10.1.2.3"


def test_the_address_behind_a_proxy_is_the_first_forwarded_hop(client, leader):
    client.post(
        "/accounts/login/",
        {"username": "leader", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="10.9.8.7, 192.168.0.1",
    )
    assert last("login").ip == "10.9.8.7"


def test_a_failed_login_is_recorded(client, leader):
    client.post("/accounts/login/", {"username": "leader", "password": "Wrong@pass9"})
    record = last("login_failed")
    assert record.object_repr == "leader" and record.ip == "127.0.0.1" and record.user is None


def test_a_logout_is_recorded(client_for, leader):
    client_for(leader).post("/accounts/logout/")
    assert last("logout").user == leader


def test_creating_an_enterprise_on_its_page_records_who_and_the_values(client_for, staff_user):
    response = client_for(staff_user).post("/enterprises/add/", enterprise_form(), REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 302
    enterprise = Enterprise.objects.get(name="丙化工有限公司")
    record = last("create")
    assert (record.user, record.ip, record.object_type, record.object_id) == (
        staff_user,
        "10.0.0.5",
        "registry.enterprise",
        str(enterprise.pk),
    )
    assert record.changes["after"]["name"] == "丙化工有限公司"
    assert record.changes["after"]["division_id"] == VILLAGE_A


def test_editing_an_enterprise_on_its_page_records_before_and_after(client_for, staff_user, enterprise_a):
    form = enterprise_form(name="甲镇化工集团有限公司", uscc=enterprise_a.uscc, employees="120")
    assert client_for(staff_user).post(f"/enterprises/{enterprise_a.pk}/edit/", form).status_code == 302
    record = last("update")
    assert record.user == staff_user and record.object_id == str(enterprise_a.pk)
    assert record.changes["before"]["name"] == "甲镇化工有限公司"
    assert record.changes["after"] == {
        **record.changes["after"],
        "name": "甲镇化工集团有限公司",
        "employees": 120,
    }
    assert "uscc" not in record.changes["after"]  # only what changed


def test_deleting_an_enterprise_on_its_page_keeps_a_copy_in_the_trail(client_for, admin_user, enterprise_b):
    assert client_for(admin_user).post(f"/enterprises/{enterprise_b.pk}/delete/").status_code == 302
    assert not Enterprise.objects.filter(pk=enterprise_b.pk).exists()
    record = last("delete")
    assert record.user == admin_user and record.object_repr == "乙镇机械有限公司"
    assert record.changes["before"]["uscc"] == enterprise_b.uscc
    assert record.changes["before"]["main_person_phone"] == "13987654321"


def test_service_changes_outside_a_request_record_the_actor(staff_user, enterprise_a):
    services.update_enterprise(enterprise_a, actor=staff_user, employees=50)
    assert last("update").user == staff_user
    created = services.create_enterprise(
        actor=staff_user, name="丁有限公司", uscc=make_uscc(11), industry="13", division_id=VILLAGE_B
    )
    assert last("create").object_id == str(created.pk) and last("create").username == "staff"


def test_saving_without_a_change_records_nothing(staff_user, enterprise_a):
    before = AuditLog.objects.count()
    services.update_enterprise(enterprise_a, actor=staff_user, name=enterprise_a.name)
    assert AuditLog.objects.count() == before


def test_a_rejected_change_records_nothing(staff_user, enterprise_a):
    before = AuditLog.objects.count()
    with pytest.raises(Exception, match="uscc"):
        services.update_enterprise(enterprise_a, actor=staff_user, uscc=wrong_check_char(enterprise_a.uscc))
    assert AuditLog.objects.count() == before


def test_an_export_is_recorded_with_its_filters(client_for, staff_user, enterprise_a):
    url = reverse("registry:enterprise_export")
    response = client_for(staff_user).get(url, {"format": "csv", "industry": "26"})
    assert response.status_code == 200
    record = last("export")
    assert record.user == staff_user and record.object_type == "registry.enterprise"
    assert "industry=26" in record.note


def test_revealing_phones_is_recorded(client_for, staff_user, enterprise_a):
    client_for(staff_user).get(f"/enterprises/{enterprise_a.pk}/contacts/")
    record = last("reveal")
    assert record.user == staff_user and record.object_id == str(enterprise_a.pk)


def test_the_audit_page_lists_and_filters_records(client_for, admin_user, leader):
    client = client_for(admin_user)
    audit.record("export", note="一次导出", user=leader)
    page = client.get("/audit/", {"action": "export"}).content.decode()
    assert "一次导出" in page
    assert "一次导出" not in client.get("/audit/", {"action": "login"}).content.decode()


# Nobody can change it


def test_no_role_may_change_or_delete_audit_records():
    for role in Role.values:
        assert not {"core.change_auditlog", "core.delete_auditlog", "core.add_auditlog"} & permissions_of(
            role
        )


def test_an_existing_record_cannot_be_saved_again(db):
    record = audit.record("login", note="original")
    record.note = "rewritten"
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    record.refresh_from_db()
    assert record.note == "original"


def test_the_queryset_refuses_updates_and_deletes(db):
    record = audit.record("login", note="original")
    with pytest.raises(PermissionError):
        AuditLog.objects.filter(pk=record.pk).update(note="rewritten")
    with pytest.raises(PermissionError):
        AuditLog.objects.filter(pk=record.pk).delete()
    with pytest.raises(PermissionError), transaction.atomic():
        AuditLog.objects.bulk_update([record], ["note"])
    assert AuditLog.objects.get(pk=record.pk).note == "original"


def raw(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_a_raw_update(db):
    record = audit.record("login", note="original")
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE core_auditlog SET note = 'rewritten' WHERE id = %s", [record.pk])
    assert AuditLog.objects.get(pk=record.pk).note == "original"


def test_the_database_refuses_a_raw_update_of_an_old_record(db):
    old = insert_aged(400)
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE core_auditlog SET note = 'rewritten' WHERE id = %s", [old])


def test_the_database_refuses_a_raw_delete_of_a_recent_record(db):
    record = audit.record("login", note="original")
    insert_aged(179)
    with pytest.raises(DatabaseError, match="180 days"):
        raw("DELETE FROM core_auditlog WHERE id = %s", [record.pk])
    with pytest.raises(DatabaseError, match="180 days"):
        raw("DELETE FROM core_auditlog")
    assert AuditLog.objects.count() == 2


# Retention


def insert_aged(days: float, note: str = "") -> int:
    """An audit row written `days` ago (raw INSERT: inserting is the one thing the trail allows)."""
    created = connection.ops.adapt_datetimefield_value(timezone.now() - timedelta(days=days))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditlog (created_at, username, ip, action, object_type, object_id, object_repr, note)"
            " VALUES (%s, '', '', 'login', '', '', '', %s)",
            [created, note or f"{days} days old"],
        )
    return AuditLog.objects.get(note=note or f"{days} days old").pk


def test_the_purge_removes_only_records_older_than_the_retention(db, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    for days in (1, 100, 200, 364, 366, 800):
        insert_aged(days)
    assert purge_audit_trail() == 2
    assert sorted(AuditLog.objects.values_list("note", flat=True)) == sorted(
        f"{d} days old" for d in (1, 100, 200, 364)
    )


def test_the_purge_never_removes_records_younger_than_180_days(db, settings):
    settings.AUDIT_RETENTION_DAYS = 30  # misconfigured below the legal minimum
    for days in (1, 40, 179, 181, 400):
        insert_aged(days)
    assert purge_audit_trail() == 2
    assert sorted(AuditLog.objects.values_list("note", flat=True)) == sorted(
        f"{d} days old" for d in (1, 40, 179)
    )


def test_the_retention_setting_cannot_go_below_180_days(monkeypatch):
    import importlib

    import yingji.settings

    monkeypatch.setenv("YINGJI_AUDIT_RETENTION_DAYS", "30")
    try:
        assert importlib.reload(yingji.settings).AUDIT_RETENTION_DAYS == 180
    finally:
        monkeypatch.delenv("YINGJI_AUDIT_RETENTION_DAYS")
        importlib.reload(yingji.settings)
