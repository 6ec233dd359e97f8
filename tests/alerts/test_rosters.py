"""Evacuation rosters (临灾转移): roster CRUD and scoping, import, transfer rounds started by a matching
warning, marks, roll-ups by village/town/county, closing, masked phones."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import Workbook
from tests.alerts.conftest import JULY_25
from tests.conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_A, VILLAGE_B

from yingji.alerts import importing_rosters, services, services_rosters
from yingji.alerts.models import Evacuee, RoundTrigger, TransferMark, TransferRound, TransferStatus
from yingji.core.models import AuditLog, Division

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
VILLAGE_A2 = "329901001002"


@pytest.fixture
def villages(county):
    Division.objects.create(code=VILLAGE_A2, name="甲二村", level="village", parent_id=TOWN_A)


def person(village=VILLAGE_A, name="王秀英", **extra):
    fields = {
        "division": Division.objects.get(code=village),
        "name": name,
        "category": "elderly_alone",
        "phone": "13812345678",
        "custodian_name": "李建国",
        "custodian_phone": "13900001111",
        "shelter": "甲镇中心小学",
    }
    fields.update(extra)
    return services_rosters.create_evacuee(actor=None, **fields)


def roster(villages):
    """3 people in village A, 2 in village A2, 1 in village B, and one inactive in village A."""
    people = [person(VILLAGE_A, f"甲{n}") for n in range(3)]
    people += [person(VILLAGE_A2, f"甲二{n}") for n in range(2)]
    people += [person(VILLAGE_B, "乙0")]
    person(VILLAGE_A, "不在册", active=False)
    return people


def issued(actor, approver, *, level="red", event_type="rainstorm", codes=(COUNTY,)):
    warning = services.create_draft(
        actor=actor,
        division=Division.objects.get(code=COUNTY),
        event_type=event_type,
        event="暴雨",
        level=level,
        headline=f"暴雨{level}预警",
        onset=JULY_25,
        expires=JULY_25 + 24 * HOUR,
        areas=[{"area_desc": "安澜县", "division_codes": list(codes)}],
    )
    if level in ("orange", "red"):
        warning = services.approve(warning, actor=approver, now=JULY_25)
    return services.issue(warning, actor=actor, now=JULY_25)


def trigger(code=COUNTY, event_type="", min_level="orange"):
    return RoundTrigger.objects.create(
        division=Division.objects.get(code=code), event_type=event_type, min_level=min_level
    )


# --- rosters ----------------------------------------------------------------------------------------


def test_town_official_keeps_own_roster_and_sees_none_of_other_town(
    villages, town_a_official, town_b_official
):
    mine = services_rosters.create_evacuee(
        actor=town_a_official,
        division=Division.objects.get(code=VILLAGE_A),
        name="张大爷",
        custodian_name="李建国",
        phone="13812345678",
    )
    assert list(Evacuee.objects.for_user(town_b_official)) == []
    assert list(Evacuee.objects.for_user(town_a_official)) == [mine]
    with pytest.raises(ValidationError) as error:
        services_rosters.update_evacuee(mine, actor=town_b_official, name="x")
    assert "division" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services_rosters.create_evacuee(
            actor=town_a_official, division=Division.objects.get(code=VILLAGE_B), name="x", custodian_name="y"
        )
    assert "division" in error.value.message_dict
    updated = services_rosters.update_evacuee(mine, actor=town_a_official, shelter="村委会")
    assert updated.shelter == "村委会"
    services_rosters.delete_evacuee(updated, actor=town_a_official)
    assert not Evacuee.objects.exists()


def test_roster_belongs_to_a_village_and_checks_phones(county, town_a_official):
    with pytest.raises(ValidationError) as error:
        services_rosters.create_evacuee(
            actor=town_a_official, division=Division.objects.get(code=TOWN_A), name="x", custodian_name="y"
        )
    assert "division" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        person(phone="12345", custodian_phone="abc")
    assert {"phone", "custodian_phone"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        person(name="")
    assert "name" in error.value.message_dict
    assert not Evacuee.objects.exists()


def test_leader_may_only_view(county, leader):
    assert leader.has_perm("alerts.view_evacuee") and not leader.has_perm("alerts.add_evacuee")
    with pytest.raises(PermissionDenied):
        services_rosters.create_evacuee(
            actor=leader, division=Division.objects.get(code=VILLAGE_A), name="x", custodian_name="y"
        )


def test_phones_are_masked_in_the_list_and_revealed_with_an_audit_record(
    villages, client_for, staff_user, town_a_official
):
    evacuee = person()
    page = client_for(town_a_official).get(reverse("alerts:evacuee_list")).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert (
        client_for(town_a_official).get(reverse("alerts:evacuee_reveal", args=[evacuee.pk])).status_code
        == 403
    )
    response = client_for(staff_user).get(reverse("alerts:evacuee_reveal", args=[evacuee.pk]))
    assert response.status_code == 200 and "13812345678" in response.content.decode()
    assert AuditLog.objects.filter(action="reveal", object_id=str(evacuee.pk)).exists()


# --- import -----------------------------------------------------------------------------------------


def xlsx(
    rows, headers=("村（社区）代码", "姓名", "类别", "联系电话", "包保责任人", "包保责任人电话", "安置点")
):
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_adds_a_good_file(villages, town_a_official):
    content = xlsx(
        [
            (VILLAGE_A, "王秀英", "独居老人", "13812345678", "李建国", "13900001111", "甲镇中心小学"),
            (VILLAGE_A2, "赵小宝", "儿童", "", "李建国", "0513-81234567", ""),
        ]
    )
    report = importing_rosters.import_roster(content, "roster.xlsx", actor=town_a_official)
    assert report.ok and report.created == 2
    assert sorted(Evacuee.objects.values_list("name", "category")) == [
        ("王秀英", "elderly_alone"),
        ("赵小宝", "child"),
    ]
    assert AuditLog.objects.filter(action="import", object_type="alerts.evacuee").exists()


def test_import_refuses_a_bad_file_whole_with_row_and_column(villages, town_a_official):
    content = xlsx(
        [
            (VILLAGE_A, "王秀英", "独居老人", "13812345678", "李建国", "", ""),  # good
            (VILLAGE_A, "李四", "", "1234", "李建国", "", ""),  # bad phone
            ("329901001999", "张三", "", "", "李建国", "", ""),  # unknown village
            (VILLAGE_B, "钱五", "", "", "李建国", "", ""),  # other town
            (VILLAGE_A, "", "", "", "李建国", "", ""),  # missing name
        ]
    )
    report = importing_rosters.import_roster(content, "roster.xlsx", actor=town_a_official)
    assert not report.ok and not Evacuee.objects.exists()
    found = {(e.row, e.column, e.code) for e in report.errors}
    assert found == {
        (3, "联系电话", "bad_phone"),
        (4, "村（社区）代码", "unknown_division"),
        (5, "村（社区）代码", "outside_jurisdiction"),
        (6, "姓名", "required"),
    }


def test_export_masks_phones_and_reimports_when_revealed(villages, client_for, staff_user):
    person()
    masked = client_for(staff_user).get(reverse("alerts:evacuee_export") + "?format=csv")
    assert masked.status_code == 200 and "138****5678" in masked.content.decode("utf-8-sig")
    full = client_for(staff_user).get(reverse("alerts:evacuee_export") + "?format=xlsx&reveal=1")
    Evacuee.objects.all().delete()
    report = importing_rosters.import_roster(full.content, "again.xlsx", actor=staff_user)
    assert report.ok and Evacuee.objects.get().phone == "13812345678"


# --- rounds -----------------------------------------------------------------------------------------


def test_a_matching_warning_starts_a_round_with_the_right_people(villages, staff_user, second_approver):
    people = roster(villages)
    trigger(TOWN_A, min_level="orange")
    warning = issued(staff_user, second_approver, level="red")
    round_ = TransferRound.objects.get(warning=warning)
    names = set(TransferStatus.objects.filter(round=round_).values_list("evacuee__name", flat=True))
    assert names == {p.name for p in people if p.division_id.startswith(TOWN_A[:9])}  # town A only
    assert round_.people == 5 and round_.status == "open" and round_.started_at == JULY_25
    assert services_rosters.start_round(warning, now=JULY_25) == round_  # the open one, not a second


def test_a_warning_below_the_level_or_of_another_type_starts_nothing(villages, staff_user, second_approver):
    roster(villages)
    trigger(COUNTY, event_type="typhoon", min_level="blue")
    trigger(COUNTY, min_level="red")
    issued(staff_user, second_approver, level="orange")
    issued(staff_user, second_approver, level="yellow", codes=(TOWN_B,))
    assert not TransferRound.objects.exists()


def test_area_limits_the_round(villages, staff_user, second_approver):
    roster(villages)
    trigger(COUNTY)
    warning = issued(staff_user, second_approver, codes=(VILLAGE_A2,))
    assert TransferRound.objects.get(warning=warning).people == 2


def test_manual_start_needs_an_issued_warning_and_covers_the_starters_jurisdiction(
    villages, staff_user, second_approver, town_a_official
):
    roster(villages)
    warning = issued(staff_user, second_approver)
    assert not TransferRound.objects.exists()  # no trigger
    round_ = services_rosters.start_round_by_hand(warning, actor=town_a_official, now=JULY_25)
    assert round_.people == 5 and round_.started_by == town_a_official
    with pytest.raises(ValidationError) as error:
        services_rosters.start_round_by_hand(warning, actor=staff_user, now=JULY_25)
    assert "warning" in error.value.message_dict


def _round(staff_user, second_approver, villages):
    roster(villages)
    trigger(COUNTY)
    return TransferRound.objects.get(warning=issued(staff_user, second_approver))


def _status(round_, name):
    return TransferStatus.objects.get(round=round_, evacuee__name=name)


def test_marking_statuses_and_rollups_by_village_town_county(
    villages, staff_user, second_approver, town_a_official
):
    round_ = _round(staff_user, second_approver, villages)
    later = JULY_25 + HOUR
    services_rosters.mark(_status(round_, "甲0"), actor=town_a_official, status="moved", now=later)
    services_rosters.mark(_status(round_, "甲1"), actor=town_a_official, status="refused", now=later)
    services_rosters.mark(_status(round_, "甲二0"), actor=town_a_official, status="not_home", now=later)
    services_rosters.mark(_status(round_, "乙0"), actor=staff_user, status="moved", now=later)
    services_rosters.mark(_status(round_, "甲0"), actor=town_a_official, status="returned", now=later + HOUR)
    moved = _status(round_, "甲0")
    assert (moved.status, moved.marked_by, moved.marked_at) == ("returned", town_a_official, later + HOUR)
    assert list(TransferMark.objects.filter(transfer=moved).values_list("previous", "status")) == [
        ("pending", "moved"),
        ("moved", "returned"),
    ]
    villages_ = {r["code"]: r for r in services_rosters.rollup(round_, "village")}
    assert (
        villages_[VILLAGE_A]["total"],
        villages_[VILLAGE_A]["returned"],
        villages_[VILLAGE_A]["refused"],
    ) == (3, 1, 1)
    assert (villages_[VILLAGE_A2]["not_home"], villages_[VILLAGE_A2]["pending"]) == (1, 1)
    towns = {r["code"]: r for r in services_rosters.rollup(round_, "town")}
    assert (towns[TOWN_A]["total"], towns[TOWN_A]["safe"], towns[TOWN_B]["moved"]) == (5, 1, 1)
    (county_row,) = services_rosters.rollup(round_, "county")
    assert (county_row["code"], county_row["total"], county_row["safe"], county_row["percent"]) == (
        COUNTY,
        6,
        2,
        33,
    )
    assert services_rosters.totals(round_, prefix=TOWN_B[:9])["total"] == 1


def test_bad_marks_are_refused(villages, staff_user, second_approver, town_b_official):
    round_ = _round(staff_user, second_approver, villages)
    transfer = _status(round_, "甲0")
    with pytest.raises(ValidationError) as error:
        services_rosters.mark(transfer, actor=staff_user, status="returned", now=JULY_25)
    assert error.value.error_dict["status"][0].code == "invalid_transition"
    with pytest.raises(PermissionDenied):
        services_rosters.mark(transfer, actor=town_b_official, status="moved", now=JULY_25)


def test_custodian_account_may_mark_own_people(villages, staff_user, second_approver, town_b_official):
    round_ = _round(staff_user, second_approver, villages)
    transfer = _status(round_, "甲0")
    Evacuee.objects.filter(pk=transfer.evacuee_id).update(custodian_user=town_b_official)
    marked = services_rosters.mark(transfer, actor=town_b_official, status="moved", now=JULY_25)
    assert marked.status == "moved"


def test_marking_after_close_is_refused_with_a_clear_error(villages, staff_user, second_approver, client_for):
    round_ = _round(staff_user, second_approver, villages)
    closed = services_rosters.close_round(round_, actor=staff_user, now=JULY_25 + HOUR)
    assert (closed.status, closed.closed_by, closed.closed_at) == ("closed", staff_user, JULY_25 + HOUR)
    with pytest.raises(ValidationError) as error:
        services_rosters.mark(_status(round_, "甲0"), actor=staff_user, status="moved", now=JULY_25)
    assert error.value.error_dict["status"][0].code == "round_closed"
    response = client_for(staff_user).post(
        f"/api/v1/alerts/rosters/statuses/{_status(round_, '甲0').pk}/mark",
        {"status": "moved"},
        content_type="application/json",
    )
    assert response.status_code == 409 and response.json()["code"] == "round_closed"
    assert _status(round_, "甲0").status == "pending"
    with pytest.raises(ValidationError):
        services_rosters.close_round(round_, actor=staff_user)


def test_round_page_shows_lines_and_masks_phones(
    villages, staff_user, second_approver, client_for, town_a_official
):
    round_ = _round(staff_user, second_approver, villages)
    url = reverse("alerts:transferround_detail", args=[round_.pk])
    page = client_for(staff_user).get(url).content.decode()
    assert f'data-code="{TOWN_A}"' in page and f'data-code="{VILLAGE_A2}"' in page
    assert "138****5678" in page and "13812345678" not in page
    partial = client_for(staff_user).get(url + "?partial=1")
    assert partial.status_code == 200 and 'id="round-totals"' in partial.content.decode()
    town_page = client_for(town_a_official).get(url).content.decode()
    assert f'data-code="{VILLAGE_B}"' not in town_page and f'data-code="{VILLAGE_A}"' in town_page
    transfer = _status(round_, "甲0")
    response = client_for(town_a_official).post(
        reverse("alerts:transferstatus_mark", args=[transfer.pk]), {"status": "moved", "next": url}
    )
    assert response.status_code == 302 and _status(round_, "甲0").status == "moved"


def test_town_b_cannot_open_town_a_round_lines(
    villages, staff_user, second_approver, client_for, town_b_official
):
    roster(villages)
    trigger(TOWN_A)
    round_ = TransferRound.objects.get(warning=issued(staff_user, second_approver))
    response = client_for(town_b_official).get(reverse("alerts:transferround_detail", args=[round_.pk]))
    assert response.status_code == 404


def test_demo_seed_fills_every_village_once(villages):
    import random

    from yingji.demo.rosters import seed_rosters

    Division.objects.create(code="329901001201", name="甲桥村", level="village", parent_id=TOWN_A)  # rural
    created = seed_rosters(random.Random(13))
    assert (
        created >= 2
        and created == Evacuee.objects.count()
        and RoundTrigger.objects.filter(division_id=COUNTY).count() == 1
    )
    assert seed_rosters(random.Random(13)) == 0
    for evacuee in Evacuee.objects.all():
        evacuee.full_clean()  # valid phones, categories, village


def test_custodians_are_called_once_per_village_when_a_trigger_matches(villages, staff_user, second_approver):
    from yingji.alerts.models import Call

    roster(villages)
    trigger(TOWN_A)
    warning = issued(staff_user, second_approver)
    calls = Call.objects.filter(warning=warning, tier="custodian", parent__isnull=True)
    assert sorted(calls.values_list("division_id", flat=True)) == [VILLAGE_A, VILLAGE_A2]
    quiet = issued(staff_user, second_approver, level="yellow")  # below the trigger: nobody
    assert not Call.objects.filter(warning=quiet, tier="custodian").exists()
