"""Who hears about custodian duties (包保责任), through messaging.services.send.

- a task is missed (`tasks_missed`, from the hourly job): its custodian and the enterprise's users;
- a ladder step of a late task (`escalation_actions.py`): the custodian first, then the enterprise
  (its users and the main custodian), then the bureau (bureau staff over the source's division).

In-app always, SMS as well once the enterprise or the bureau is told. Messages leave after commit.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from yingji.accounts.roles import Role
from yingji.hazards.notifications import INAPP, INAPP_SMS, ancestor_codes, unique_except
from yingji.messaging import services as messaging
from yingji.registry.models_sources import CustodianRole, DutyTask

log = logging.getLogger(__name__)

BUREAU: tuple[str, ...] = (str(Role.BUREAU_STAFF), str(Role.BUREAU_ADMIN))
TASK_FIELDS = DutyTask.objects.select_related(
    "schedule", "source", "enterprise", "custodian", "custodian__user"
)


# -- recipients -------------------------------------------------------------------------------------


def custodian_people(task: DutyTask) -> list:
    custodian = task.custodian
    if custodian is not None and custodian.user_id and custodian.user.is_active:
        return [custodian.user]
    return []


def enterprise_people(task: DutyTask) -> list:
    """The enterprise's users, its main custodian's account first."""
    main = (
        get_user_model()
        .objects.filter(
            custodianships__source_id=task.source_id,
            custodianships__role=CustodianRole.MAIN,
            is_active=True,
        )
        .order_by("pk")
    )
    users = (
        get_user_model()
        .objects.filter(enterprise_id=task.enterprise_id, role=Role.ENTERPRISE_USER, is_active=True)
        .order_by("pk")
    )
    return list(main) + list(users)


def bureau_people(task: DutyTask) -> list:
    """Bureau staff and admins whose jurisdiction covers the source's division."""
    code = task.division_id
    users = (
        get_user_model()
        .objects.filter(role__in=BUREAU, is_active=True, division_id__in=ancestor_codes(code))
        .select_related("division")
        .order_by("pk")
    )
    return [u for u in users if u.scope_prefix is not None and code.startswith(u.scope_prefix)]


# -- context ----------------------------------------------------------------------------------------


def _label(label) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(label)


def task_url(pk: int) -> str:
    try:
        return reverse("registry:duty_detail", args=[pk])
    except NoReverseMatch:
        return f"/enterprises/duties/{pk}/"


def task_context(task: DutyTask) -> dict:
    """What every duty message can say (plain JSON values: stored with the message)."""
    return {
        "task_id": task.pk,
        "title": task.schedule.title,
        "source": task.source.name,
        "enterprise": task.enterprise.name,
        "role": _label(CustodianRole(task.role).label),
        "custodian": task.custodian.name if task.custodian_id else "",
        "due_at": timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M"),
        "status_code": task.status,
        "url": task_url(task.pk),
    }


def send(people: Iterable, template: str, context: dict, channels, *, now=None, savepoint=True) -> int:
    people = unique_except(people, None)
    if people:
        messaging.send(people, template, context, channels, now=now, savepoint=savepoint)
    return len(people)


# -- hooks ------------------------------------------------------------------------------------------


def tasks_missed(task_ids: list[int], *, now: datetime.datetime | None = None) -> None:
    """Tell the custodian and the enterprise that these tasks were missed."""
    for task in TASK_FIELDS.filter(pk__in=task_ids):
        try:
            with transaction.atomic():
                send(
                    custodian_people(task) + enterprise_people(task),
                    "duty_missed",
                    task_context(task),
                    INAPP_SMS,
                    now=now,
                )
        except Exception:  # a message must never undo the flagging
            log.exception("could not notify missed duty task %s", task.pk)


__all__ = ["INAPP", "INAPP_SMS", "bureau_people", "custodian_people", "enterprise_people", "tasks_missed"]
