"""Warning notices (预警提示单): gap-free numbering per bureau and year, recipients' feedback, the
escalation ladder with `now=`, the pages and their scoping."""

from __future__ import annotations

import datetime
import os
import threading

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from tests.conftest import COUNTY, TOWN_A, TOWN_B, remove_audit_rows

from yingji.alerts import rules_notices, services_notices
from yingji.alerts.models import Notice, NoticeRecipient
from yingji.core.escalation.models import Deadline, EscalationEvent
from yingji.core.escalation.services import run_escalation_pass
from yingji.core.models import Division
from yingji.messaging.models import Message

NOW = timezone.make_aware(datetime.datetime(2026, 7, 25, 10, 0))


def issue(actor, *, towns=(TOWN_A,), users=(), now=NOW, division=COUNTY, **extra):
    return services_notices.issue_notice(
        actor=actor,
        division=Division.objects.get(code=division),
        title=extra.pop("title", "关于做好强降雨防范工作的提示"),
        measures=extra.pop("measures", "1. 加强巡查；2. 转移危险区域群众。"),
        feedback_due=extra.pop("feedback_due", now + datetime.timedelta(hours=4)),
        recipient_divisions=[Division.objects.get(code=code) for code in towns],
        recipient_users=list(users),
        now=now,
        **extra,
    )


def test_numbers_are_gap_free_per_bureau_and_year(admin_user, county):
    first, second = issue(admin_user), issue(admin_user)
    assert (first.number, second.number, first.year) == (1, 2, 2026)
    assert first.document_no == "预警提示单〔2026〕1号"
    with pytest.raises(ValidationError):  # a refused notice takes no number
        issue(admin_user, feedback_due=NOW - datetime.timedelta(minutes=1))
    assert issue(admin_user).number == 3
    assert issue(admin_user, division=TOWN_A).number == 1  # another issuing division counts apart
    next_year = NOW.replace(year=2027)
    assert issue(admin_user, now=next_year, feedback_due=next_year + datetime.timedelta(hours=1)).number == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"feedback_due": NOW - datetime.timedelta(hours=1)}, "feedback_due"),
        ({"towns": ()}, "recipients"),
        ({"title": " "}, "title"),
        ({"measures": ""}, "measures"),
    ],
)
def test_bad_notices_name_the_field_and_write_nothing(admin_user, county, changes, field):
    with pytest.raises(ValidationError) as error:
        issue(admin_user, **changes)
    assert field in error.value.message_dict
    assert not Notice.objects.exists() and not Deadline.objects.exists()


def test_a_town_cannot_address_outside_its_jurisdiction(admin_user, town_a_official, county):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):  # towns do not issue notices
        issue(town_a_official, division=TOWN_A)


def test_feedback_closes_the_notice_and_its_deadline(admin_user, town_a_official, town_b_official, county):
    notice = issue(admin_user, towns=(TOWN_A, TOWN_B))
    assert Deadline.objects.for_object(notice).open().exists()
    assert Message.objects.filter(recipient=town_a_official).exists()  # told on issue
    town_a = notice.recipients.get(division_id=TOWN_A)
    town_b = notice.recipients.get(division_id=TOWN_B)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):  # town B does not answer for town A
        services_notices.record_feedback(town_a, actor=town_b_official, feedback="x", now=NOW)
    with pytest.raises(ValidationError):
        services_notices.record_feedback(town_a, actor=town_a_official, feedback=" ", now=NOW)
    services_notices.record_feedback(
        town_a,
        actor=town_a_official,
        feedback="已部署",
        measures_taken="转移12人",
        now=NOW + datetime.timedelta(hours=1),
    )
    notice.refresh_from_db()
    assert notice.closed_at is None
    late = NOW + datetime.timedelta(hours=5)
    services_notices.record_feedback(town_b, actor=town_b_official, feedback="已巡查", now=late)
    notice.refresh_from_db()
    assert notice.closed_at == late
    assert not Deadline.objects.for_object(notice).open().exists()
    states = {
        r.division_id: rules_notices.recipient_state(
            answered_at=r.answered_at, due=notice.feedback_due, now=late
        )
        for r in notice.recipients.all()
    }
    assert states == {TOWN_A: "answered", TOWN_B: "answered_late"}


def test_escalation_reminds_the_late_and_tells_the_issuer(
    admin_user, town_a_official, town_b_official, county
):
    notice = issue(admin_user, towns=(TOWN_A, TOWN_B))
    services_notices.record_feedback(
        notice.recipients.get(division_id=TOWN_A), actor=town_a_official, feedback="已部署", now=NOW
    )
    Message.objects.all().delete()
    # Before the deadline nothing fires; at the deadline, the superior step and overdue fire.
    assert run_escalation_pass(now=NOW + datetime.timedelta(hours=1)) == 1  # T-1 day: remind (missed)
    assert set(Message.objects.values_list("recipient__username", flat=True)) == {"town_b"}
    Message.objects.all().delete()
    assert run_escalation_pass(now=NOW + datetime.timedelta(hours=4, minutes=1)) == 2
    assert set(Message.objects.values_list("recipient__username", flat=True)) == {"town_b", "admin"}
    events = EscalationEvent.objects.filter(deadline__object_id=str(notice.pk))
    assert all(e.outcome.startswith("notified") for e in events)
    # Once everyone has answered, later steps are skipped.
    services_notices.record_feedback(
        notice.recipients.get(division_id=TOWN_B),
        actor=town_b_official,
        feedback="已巡查",
        now=NOW + datetime.timedelta(hours=5),
    )
    Message.objects.all().delete()
    assert run_escalation_pass(now=NOW + datetime.timedelta(days=40)) == 0  # the deadline is closed
    assert not Message.objects.exists()


def test_pages(client_for, admin_user, town_a_official, town_b_official, enterprise_a_user, county):
    client = client_for(admin_user)
    assert client.get(reverse("alerts:notice_add")).status_code == 200
    due = timezone.localtime() + datetime.timedelta(hours=3)
    response = client.post(
        reverse("alerts:notice_add"),
        {
            "division": COUNTY,
            "title": "关于防御台风的提示",
            "measures": "加强值守",
            "feedback_due": due.strftime("%Y-%m-%dT%H:%M"),
            "recipient_divisions": [TOWN_A],
            "recipient_users": [town_b_official.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    notice = Notice.objects.get()
    assert notice.number == 1 and notice.recipients.count() == 2
    bad = client.post(
        reverse("alerts:notice_add"),
        {
            "division": COUNTY,
            "title": "x",
            "measures": "y",
            "feedback_due": "2020-01-01T08:00",
            "recipient_divisions": [TOWN_A],
        },
    )
    assert bad.status_code == 400 and 'data-field="feedback_due"' in bad.content.decode()
    assert Notice.objects.count() == 1
    assert client.get(reverse("alerts:notice_list")).status_code == 200
    assert client.get(reverse("alerts:notice_detail", args=[notice.pk])).status_code == 200

    town_a_row = notice.recipients.get(division_id=TOWN_A)
    client = client_for(town_a_official)
    page = client.get(reverse("alerts:notice_detail", args=[notice.pk])).content.decode()
    assert f'data-feedback-form="{town_a_row.pk}"' in page
    response = client.post(
        reverse("alerts:notice_feedback", args=[notice.pk]),
        {
            "recipient": town_a_row.pk,
            f"r{town_a_row.pk}-feedback": "已部署",
            f"r{town_a_row.pk}-measures_taken": "巡查",
        },
    )
    assert response.status_code == 302
    town_a_row.refresh_from_db()
    assert town_a_row.feedback == "已部署" and town_a_row.answered_by == town_a_official
    empty = client.post(
        reverse("alerts:notice_feedback", args=[notice.pk]),
        {"recipient": town_a_row.pk, f"r{town_a_row.pk}-feedback": ""},
    )
    assert empty.status_code == 400
    # The person addressed in town B may answer their own row, not town A's.
    user_row = notice.recipients.get(user=town_b_official)
    client = client_for(town_b_official)
    assert client.get(reverse("alerts:notice_detail", args=[notice.pk])).status_code == 200
    assert (
        client.post(
            reverse("alerts:notice_feedback", args=[notice.pk]),
            {"recipient": town_a_row.pk, f"r{town_a_row.pk}-feedback": "冒充"},
        ).status_code
        == 403
    )
    assert NoticeRecipient.objects.get(pk=town_a_row.pk).feedback == "已部署"
    assert (
        client.post(
            reverse("alerts:notice_feedback", args=[notice.pk]),
            {"recipient": user_row.pk, f"r{user_row.pk}-feedback": "收到"},
        ).status_code
        == 302
    )
    assert Notice.objects.get().closed_at is not None
    assert (
        client_for(enterprise_a_user).get(reverse("alerts:notice_detail", args=[notice.pk])).status_code
        == 403
    )


def test_town_b_does_not_see_a_notice_for_town_a(client_for, admin_user, town_b_official, county):
    notice = issue(admin_user, towns=(TOWN_A,), now=timezone.now())
    client = client_for(town_b_official)
    assert client.get(reverse("alerts:notice_detail", args=[notice.pk])).status_code == 404
    assert f'data-notice="{notice.pk}"' not in client.get(reverse("alerts:notice_list")).content.decode()
    row = notice.recipients.get()
    response = client.post(
        reverse("alerts:notice_feedback", args=[notice.pk]), {"recipient": row.pk, f"r{row.pk}-feedback": "x"}
    )
    assert response.status_code == 404
    assert NoticeRecipient.objects.get(pk=row.pk).answered_at is None


ON_POSTGRES = os.environ.get("YINGJI_DATABASE_URL", "").startswith("postgres")


@pytest.fixture
def committed_admin(admin_user):
    """The bureau admin, committed for the worker threads; the audit rows are removed before
    pytest-django's flush (the trail's triggers refuse to delete recent rows)."""
    yield admin_user
    remove_audit_rows()


@pytest.mark.skipif(
    not ON_POSTGRES, reason="concurrent writers need PostgreSQL (SQLite writes one at a time)"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_notices_get_distinct_gap_free_numbers(committed_admin):
    numbers, errors = [], []
    start = threading.Barrier(8)

    def worker():
        from django.db import connections

        try:
            start.wait()
            now = timezone.now()
            numbers.append(
                issue(committed_admin, now=now, feedback_due=now + datetime.timedelta(hours=1)).number
            )
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(numbers) == list(range(1, 9))


def test_a_notice_from_a_warning(client_for, admin_user, town_a_official, county):
    from tests.alerts.test_warning_pages import make_warning

    from yingji.alerts import services

    warning = services.issue(make_warning(admin_user, level="yellow"), actor=admin_user)
    client = client_for(admin_user)
    page = client.get(reverse("alerts:notice_add"), {"warning": warning.pk}).content.decode()
    assert f'value="{warning.pk}" selected' in page  # the form starts from the warning
    notice = issue(admin_user, towns=(TOWN_B,), warning=warning, now=timezone.now())
    detail = client.get(reverse("alerts:warning_detail", args=[warning.pk])).content.decode()
    assert f'data-notice="{notice.pk}"' in detail and 'id="notice-link"' in detail
    # Town A reads the county warning, not the notice addressed to town B.
    detail = (
        client_for(town_a_official).get(reverse("alerts:warning_detail", args=[warning.pk])).content.decode()
    )
    assert f'data-notice="{notice.pk}"' not in detail and 'id="notice-link"' not in detail
