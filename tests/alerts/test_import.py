"""CAP import: real-world shapes, Update/Cancel chains through references, lenient mode, bad input."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from tests.alerts.conftest import JULY_25, sample
from tests.conftest import COUNTY, TOWN_A, VILLAGE_A, VILLAGE_B

from yingji.alerts import capio, services
from yingji.alerts.capio import CapError
from yingji.alerts.models import CapMessage, Warning
from yingji.core.models import AuditLog

pytestmark = pytest.mark.django_db


def counts():
    return Warning.objects.count(), CapMessage.objects.count(), AuditLog.objects.count()


def test_red_rainstorm_with_two_languages(county):
    warning = services.import_cap(sample("red_rainstorm_zh.xml"), now=JULY_25)
    assert warning.status == "issued"
    assert (warning.level, warning.severity, warning.source, warning.event_type) == (
        "red",
        "Extreme",
        "met",
        "rainstorm",
    )
    assert warning.language == "zh-CN" and warning.headline.startswith("安澜县气象台")
    assert warning.division_id == COUNTY
    assert warning.identifier == "32990041600000_20260725083000" and warning.msg_type == "Alert"
    assert [info["language"] for info in warning.other_infos] == ["en-US"]
    assert warning.other_infos[0]["headline"] == "Red rainstorm warning for Anlan County"
    area = warning.areas.get()
    assert area.polygons == [[[32.0, 120.8], [32.0, 121.1], [32.2, 121.1], [32.2, 120.8], [32.0, 120.8]]]
    assert area.circles == [[32.1, 120.95, 5.0]]
    assert [d.code for d in area.divisions.all()] == [COUNTY]
    assert "<headline>" in warning.original_xml and warning.messages.count() == 1
    assert warning.import_problems == []


def test_the_same_message_twice_changes_nothing(county):
    first = services.import_cap(sample("red_rainstorm_zh.xml"), now=JULY_25)
    before = counts()
    again = services.import_cap(sample("red_rainstorm_zh.xml"), now=JULY_25)
    assert again.pk == first.pk and counts() == before


def test_update_chain_then_cancel_without_info(county):
    alert = services.import_cap(sample("red_rainstorm_zh.xml"), now=JULY_25)
    updated = services.import_cap(sample("update_prefixed.xml"), now=JULY_25)
    assert updated.pk == alert.pk
    assert (updated.status, updated.msg_type, updated.level) == ("updated", "Update", "orange")
    assert updated.headline == "暴雨红色预警降为橙色" and updated.severity == "Severe"
    # The reference writes the original's time with a wrong offset (Z): still the same alert.
    lowered = services.import_cap(sample("update_sent_mismatch.xml"), now=JULY_25)
    assert lowered.pk == alert.pk
    assert (lowered.level, lowered.language) == ("yellow", "zh-CN")  # zh-CN chosen though second
    assert [d.code for d in lowered.areas.get().divisions.all()] == [TOWN_A]  # 9-digit town code
    cancelled = services.import_cap(sample("cancel_without_info.xml"), now=JULY_25)
    assert cancelled.pk == alert.pk
    assert (cancelled.status, cancelled.msg_type) == ("cancelled", "Cancel")
    assert cancelled.headline == "安澜县气象台将暴雨红色预警降为黄色预警"  # the last content is kept
    assert list(cancelled.messages.values_list("msg_type", flat=True)) == [
        "Alert",
        "Update",
        "Update",
        "Cancel",
    ]
    assert Warning.objects.count() == 1


def test_an_update_of_an_unknown_alert_is_refused_and_nothing_written(county):
    before = counts()
    with pytest.raises(CapError) as error:
        services.import_cap(sample("update_unknown_reference.xml"), now=JULY_25)
    assert error.value.code == "unknown_reference" and "references" in error.value.fields
    assert counts() == before


def test_a_cancel_of_an_unknown_alert_is_refused(county):
    with pytest.raises(CapError) as error:
        services.import_cap(sample("cancel_without_info.xml"), now=JULY_25)
    assert error.value.code == "unknown_reference"


def test_a_reference_far_off_in_time_does_not_match(county):
    services.import_cap(sample("red_rainstorm_zh.xml"), now=JULY_25)
    shifted = sample("update_prefixed.xml").replace(
        b",2026-07-25T08:30:00+08:00", b",2026-07-24T08:30:00+08:00"
    )
    with pytest.raises(CapError) as error:
        services.import_cap(shifted, now=JULY_25)
    assert error.value.code == "unknown_reference"


@pytest.mark.parametrize(
    ("stated", "ok"),
    [
        ("2026-07-25T08:30:00+08:00", True),
        ("2026-07-25T08:30:42+08:00", True),  # seconds
        ("2026-07-25T08:30:00Z", True),  # Beijing wall-clock written as UTC
        ("2026-07-25T00:30:00Z", True),  # the same instant
        ("2026-07-25T08:45:00+08:00", False),
        ("2026-07-24T08:30:00+08:00", False),
    ],
)
def test_sent_tolerance(stated, ok):
    referenced = capio.parse_time("2026-07-25T08:30:00+08:00")
    assert capio.sent_matches(referenced, capio.parse_time(stated)) is ok


def test_wrong_namespace_is_refused_even_when_lenient(county):
    for lenient in (False, True):
        with pytest.raises(CapError) as error:
            services.import_cap(sample("wrong_namespace.xml"), lenient=lenient)
        assert error.value.code == "wrong_namespace"
        assert "cap:1.1" in " ".join(error.value.problems())
    assert Warning.objects.count() == 0


def test_missing_required_elements_are_named(county):
    for lenient in (False, True):
        with pytest.raises(CapError) as error:
            services.import_cap(sample("missing_required.xml"), lenient=lenient)
        assert error.value.code == "unreadable"
        assert {"sent", "status", "event"} <= set(error.value.fields)
    assert Warning.objects.count() == 0


def test_an_open_polygon_is_refused_strictly_and_closed_when_lenient(county):
    before = counts()
    with pytest.raises(CapError) as error:
        services.import_cap(sample("open_polygon.xml"), now=JULY_25)
    assert error.value.code == "invalid_cap"
    assert len(error.value.fields["xml"]) == 1 and "21" in error.value.fields["xml"][0]  # its line
    assert counts() == before
    warning = services.import_cap(sample("open_polygon.xml"), lenient=True, now=JULY_25)
    polygon = warning.areas.get().polygons[0]
    assert polygon[0] == polygon[-1] and len(polygon) == 5
    assert len(warning.import_problems) == 2  # the rule problem and the repair
    assert warning.messages.get().problems == warning.import_problems
    assert (warning.level, warning.source, warning.event_type) == (
        "orange",
        "natural_resources",
        "geological",
    )


def test_schema_invalid_but_readable_is_taken_only_when_lenient(county):
    data = sample("red_rainstorm_zh.xml").replace(b"<scope>Public</scope>", b"<scope>Public</scope><bogus/>")
    with pytest.raises(CapError) as error:
        services.import_cap(data, now=JULY_25)
    assert error.value.code == "invalid_cap" and error.value.fields["xml"]
    warning = services.import_cap(data, lenient=True, now=JULY_25)
    assert warning.status == "issued" and any("bogus" in p for p in warning.import_problems)


def test_prefixed_villages_and_circle(county):
    warning = services.import_cap(sample("villages_geocodes.xml"), now=JULY_25)
    assert warning.language == "zh" and warning.event_type == "flash_flood"
    assert (warning.level, warning.source) == ("orange", "water")
    area = warning.areas.get()
    assert sorted(d.code for d in area.divisions.all()) == [VILLAGE_A, VILLAGE_B]
    assert area.circles == [[32.08, 120.95, 3.0]]
    assert warning.division_id == COUNTY  # the deepest division holding both villages
    assert warning.other_infos[0]["language"] == "en"


def test_oasis_style_message_without_known_divisions(county, staff_user):
    with pytest.raises(CapError) as error:
        services.import_cap(sample("oasis_style_thunderstorm.xml"), now=JULY_25)
    assert error.value.code == "unknown_division"
    warning = services.import_cap(sample("oasis_style_thunderstorm.xml"), actor=staff_user, now=JULY_25)
    assert warning.division_id == COUNTY  # the importer's jurisdiction
    assert (warning.level, warning.language, warning.event_type) == ("orange", "en-US", "lightning")
    assert warning.status == "issued"  # expires 15:00 −05:00 = 04:00 next day in Beijing
    area = warning.areas.get()
    assert area.geocodes == [{"name": "SAME", "value": "006109"}, {"name": "UGC", "value": "CAZ017"}]
    assert list(area.divisions.all()) == []


def test_import_needs_the_permission(county, leader):
    with pytest.raises(PermissionDenied):
        services.import_cap(sample("red_rainstorm_zh.xml"), actor=leader, now=JULY_25)


def test_an_expired_alert_arrives_expired(county):
    warning = services.import_cap(sample("red_rainstorm_zh.xml"), now=JULY_25 + datetime.timedelta(days=3))
    assert warning.status == "expired"
