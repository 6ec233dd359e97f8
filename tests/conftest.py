"""Shared personas and data for the whole suite: two towns of one county, an enterprise in each."""

from __future__ import annotations

import os

import pytest

from yingji.accounts import services as account_services
from yingji.core.models import Division
from yingji.registry.models import Enterprise

PASSWORD = "Test@pass1"
COUNTY = "329901000000"
TOWN_A = "329901001000"
TOWN_B = "329901002000"
VILLAGE_A = "329901001001"
VILLAGE_B = "329901002001"


def require_services() -> bool:
    return os.environ.get("YINGJI_REQUIRE_SERVICES") == "1"


def make_uscc(serial: int) -> str:
    from yingji.core.identifiers import uscc_check_char

    first17 = f"91329901MA{serial:07d}"
    return first17 + uscc_check_char(first17)


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    """Uploaded files of a test go to its own temporary folder, never into data/."""
    settings.UPLOAD_DIR = tmp_path / "uploads"


def image_file(name: str = "photo.png", size: tuple[int, int] = (40, 30), fmt: str = "PNG"):
    """A real, decodable image as an upload."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format=fmt)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg"}[fmt]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


@pytest.fixture
def county(db):
    province, _ = Division.objects.get_or_create(
        code="320000000000", defaults={"name": "江苏省", "level": "province"}
    )
    city, _ = Division.objects.get_or_create(
        code="329900000000", defaults={"name": "示范市", "level": "city", "parent": province}
    )
    county = Division.objects.create(code=COUNTY, name="安澜县", level="county", parent=city)
    town_a = Division.objects.create(code=TOWN_A, name="甲镇", level="town", parent=county)
    town_b = Division.objects.create(code=TOWN_B, name="乙镇", level="town", parent=county)
    Division.objects.create(code=VILLAGE_A, name="甲村", level="village", parent=town_a)
    Division.objects.create(code=VILLAGE_B, name="乙村", level="village", parent=town_b)
    return county


@pytest.fixture
def enterprise_a(county):
    return Enterprise.objects.create(
        name="甲镇化工有限公司",
        uscc=make_uscc(1),
        industry="26",
        division_id=VILLAGE_A,
        longitude=120.9,
        latitude=32.0,
        main_person="张三",
        main_person_phone="13812341234",
        hazchem_production=True,
    )


@pytest.fixture
def enterprise_b(county):
    return Enterprise.objects.create(
        name="乙镇机械有限公司",
        uscc=make_uscc(2),
        industry="34",
        division_id=VILLAGE_B,
        longitude=121.0,
        latitude=32.1,
        main_person="李四",
        main_person_phone="13987654321",
    )


def _user(username, role, division, enterprise=None):
    return account_services.create_user(
        username=username,
        role=role,
        division=Division.objects.get(code=division),
        enterprise=enterprise,
        password=PASSWORD,
        full_name=username,
    )


@pytest.fixture
def admin_user(county):
    return _user("admin", "bureau_admin", COUNTY)


@pytest.fixture
def staff_user(county):
    return _user("staff", "bureau_staff", COUNTY)


@pytest.fixture
def leader(county):
    return _user("leader", "leader", COUNTY)


@pytest.fixture
def town_a_official(county):
    return _user("town_a", "town_official", TOWN_A)


@pytest.fixture
def town_b_official(county):
    return _user("town_b", "town_official", TOWN_B)


@pytest.fixture
def enterprise_a_user(county, enterprise_a):
    return _user("ent_a", "enterprise_user", VILLAGE_A, enterprise_a)


@pytest.fixture
def enterprise_b_user(county, enterprise_b):
    return _user("ent_b", "enterprise_user", VILLAGE_B, enterprise_b)


@pytest.fixture
def client_for(client):
    """`client_for(user)`: a test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


def remove_audit_rows() -> None:
    """Empty the audit trail before pytest-django flushes the database after a test whose other
    threads (a live server, a consumer, workers) needed committed rows.

    The trail's database triggers refuse to delete recent rows (migration core 0002), so the flush
    would fail; the triggers are lifted only for this one statement and put back as they were.
    """
    from django.db import connection, transaction

    from yingji.core.models import AuditLog

    if not AuditLog.objects.exists():
        return
    table = AuditLog._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            cursor.execute(f'DELETE FROM "{table}"')
            for _name, sql in triggers:
                cursor.execute(sql)
        else:
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
            cursor.execute(f'DELETE FROM "{table}"')
            cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
