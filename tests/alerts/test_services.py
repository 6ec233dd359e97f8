"""Drafting, second-person approval, issuing (GB/T 35965.1 identity), update, cancel, expiry, and the
export → validate → import round trip."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from tests.alerts.conftest import JULY_25
from tests.conftest import COUNTY, TOWN_A, VILLAGE_A

from yingji.alerts import cap, capio, rules, services
from yingji.alerts.models import CapMessage, Warning
from yingji.core.models import Division

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
SQUARE = [[32.0, 120.8], [32.0, 121.1], [32.2, 121.1], [32.0, 120.8]]


def draft(actor, level="red", **extra):
    fields = {
        "division": Division.objects.get(code=COUNTY),
        "event_type": "rainstorm",
        "event": "暴雨",
        "level": level,
        "urgency": "Immediate",
        "certainty": "Likely",
        "headline": f"安澜县应急管理局发布暴雨{level}预警",
        "description": "预计未来6小时甲镇降雨量将达100毫米以上。",
        "instruction": "停课停业,转移危险区域群众。",
        "sender_name": "安澜县应急管理局",
        "onset": JULY_25,
        "expires": JULY_25 + 24 * HOUR,
    }
    fields.update(extra)
    areas = [
        {
            "area_desc": "甲镇",
            "division_codes": [TOWN_A],
            "polygons": [SQUARE],
            "circles": [[32.1, 120.95, 5]],
        },
        {"area_desc": "甲村", "division_codes": [VILLAGE_A]},
    ]
    return services.create_draft(actor=actor, areas=areas, **fields)


def test_red_needs_a_second_person(staff_user, second_approver):
    warning = draft(staff_user)
    assert warning.severity == "Extreme" and warning.source == "internal"
    with pytest.raises(ValidationError) as error:
        services.issue(warning, actor=staff_user, now=JULY_25)
    assert "status" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.approve(warning, actor=staff_user, now=JULY_25)
    assert "approved_by" in error.value.message_dict
    warning.refresh_from_db()
    assert warning.status == "draft" and warning.approved_by is None
    warning = services.approve(warning, actor=second_approver, now=JULY_25)
    assert warning.status == "approved" and warning.approved_by == second_approver
    warning = services.issue(warning, actor=staff_user, now=JULY_25)
    assert (warning.status, warning.msg_type, warning.cap_status) == ("issued", "Alert", "Actual")


def test_issued_identity_follows_gb_t_35965(staff_user, second_approver):
    warning = services.issue(
        services.approve(draft(staff_user), actor=second_approver, now=JULY_25), actor=staff_user, now=JULY_25
    )
    assert warning.sender == "32990100000000"  # county 329901, organisation 000, unit 000, extension 00
    assert warning.identifier == "32990100000000_20260725100000_0"
    assert len(warning.identifier) == 31 and re.fullmatch(r"\d{14}_\d{14}_\d", warning.identifier)
    message = warning.messages.get()
    assert (message.direction, message.msg_type) == ("out", "Alert")
    assert cap.validate(message.xml.encode()) == []
    # A second warning issued in the same second gets the next sequence number.
    other = services.issue(draft(staff_user, level="blue"), actor=staff_user, now=JULY_25)
    assert other.identifier == "32990100000000_20260725100000_1"


def test_blue_is_issued_by_its_drafter(staff_user):
    warning = services.issue(draft(staff_user, level="blue"), actor=staff_user, now=JULY_25)
    assert warning.status == "issued" and warning.approved_by == staff_user


def test_an_expired_warning_cannot_be_issued(staff_user):
    warning = draft(staff_user, level="yellow", expires=JULY_25 - HOUR, onset=JULY_25 - 2 * HOUR)
    with pytest.raises(ValidationError) as error:
        services.issue(warning, actor=staff_user, now=JULY_25)
    assert list(error.value.message_dict) == ["expires"]
    warning.refresh_from_db()
    assert warning.status == "draft" and not warning.identifier
    assert CapMessage.objects.count() == 0


def test_a_reader_cannot_approve(staff_user, leader):
    with pytest.raises(PermissionDenied):
        services.approve(draft(staff_user), actor=leader, now=JULY_25)


def test_an_open_polygon_in_a_draft_is_refused(staff_user):
    areas = [{"area_desc": "甲镇", "polygons": [SQUARE[:3] + [[32.2, 120.8]]]}]
    with pytest.raises(ValidationError) as error:
        services.create_draft(
            actor=staff_user,
            areas=areas,
            division=Division.objects.get(code=COUNTY),
            event="暴雨",
            level="blue",
            headline="x",
        )
    assert "areas" in error.value.message_dict
    assert Warning.objects.count() == 0


def test_a_town_cannot_draft_for_the_county(town_a_official, staff_user):
    with pytest.raises(ValidationError) as error:
        draft(staff_user, division=Division.objects.get(code=TOWN_A))  # fine for the county
        services.create_draft(
            actor=town_a_official,
            division=Division.objects.get(code=COUNTY),
            event="暴雨",
            level="blue",
            headline="x",
        )
    assert "division" in error.value.message_dict


def test_update_then_cancel_reference_the_chain(staff_user):
    warning = services.issue(draft(staff_user, level="yellow"), actor=staff_user, now=JULY_25)
    first = warning.identifier
    warning = services.update_warning(
        warning, actor=staff_user, now=JULY_25 + HOUR, level="orange", headline="暴雨预警升级为橙色"
    )
    assert (warning.status, warning.msg_type) == ("updated", "Update")
    assert warning.references_text == f"{warning.sender},{first},2026-07-25T10:00:00+08:00"
    update_xml = warning.messages.last().xml.encode()
    assert cap.validate(update_xml) == []
    warning = services.cancel(warning, actor=staff_user, now=JULY_25 + 2 * HOUR)
    assert (warning.status, warning.msg_type) == ("cancelled", "Cancel")
    assert len(warning.references_text.split()) == 2
    assert cap.validate(warning.messages.last().xml.encode()) == []
    assert warning.messages.count() == 3
    with pytest.raises(ValidationError):
        services.update_warning(warning, actor=staff_user, now=JULY_25 + 3 * HOUR, headline="again")


def test_expiry_is_periodic_and_idempotent(staff_user):
    warning = services.issue(draft(staff_user, level="blue"), actor=staff_user, now=JULY_25)
    assert services.expire_due(now=JULY_25 + 23 * HOUR) == 0
    assert services.expire_due(now=JULY_25 + 25 * HOUR) == 1
    assert services.expire_due(now=JULY_25 + 26 * HOUR) == 0
    warning.refresh_from_db()
    assert warning.status == "expired"


def test_every_transition_lands_on_a_status():
    from yingji.alerts.models import Status

    assert set(rules.TRANSITIONS.values()) <= set(Status.values)
    assert {state for state, _action in rules.TRANSITIONS} <= set(Status.values)


FIELDS = (
    "division_id", "source", "event_type", "event", "level", "severity", "urgency", "certainty", "category",
    "language", "headline", "description", "instruction", "sender_name", "effective", "onset", "expires",
    "identifier", "sender", "sent", "msg_type", "cap_status", "cap_scope", "references_text", "other_infos",
)  # fmt: skip


def snapshot(warning):
    values = {name: getattr(warning, name) for name in FIELDS}
    values["areas"] = [
        (a.area_desc, a.polygons, a.circles, sorted(d.code for d in a.divisions.all()))
        for a in warning.areas.all()
    ]
    return values


@pytest.mark.parametrize("update", [False, True])
def test_round_trip(staff_user, second_approver, update):
    warning = draft(staff_user, source="met", category="Met")
    Warning.objects.filter(pk=warning.pk).update(
        other_infos=[{"language": "en-US", "category": "Met", "event": "Rainstorm", "urgency": "Immediate",
                      "severity": "Extreme", "certainty": "Likely", "sender_name": "", "headline": "Red rainstorm",
                      "description": "", "instruction": "", "areas": ["Jia town"]}]
    )  # fmt: skip
    warning = services.issue(
        services.approve(warning, actor=second_approver, now=JULY_25), actor=staff_user, now=JULY_25
    )
    if update:
        warning = services.update_warning(warning, actor=staff_user, now=JULY_25 + HOUR, level="orange")
    xml = capio.export_cap(warning)
    assert cap.validate(xml) == []
    before = snapshot(warning)
    CapMessage.objects.all().delete()
    Warning.objects.all().delete()
    if update:  # an Update needs the warning it refers to: bring the Alert in first
        alert = xml.replace(b"<msgType>Update</msgType>", b"<msgType>Alert</msgType>")
        alert = re.sub(rb"\s*<references>.*</references>", b"", alert)
        first = warning.references_text.split(",")[1]
        alert = alert.replace(warning.identifier.encode(), first.encode()).replace(
            b"<sent>2026-07-25T11:00:00+08:00</sent>", b"<sent>2026-07-25T10:00:00+08:00</sent>"
        )
        services.import_cap(alert, now=JULY_25)
    imported = services.import_cap(xml, now=JULY_25)
    after = snapshot(imported)
    assert after == before
    assert imported.status == ("updated" if update else "issued")
