"""Warning notices (预警提示单): issue one with its number and feedback deadline, record answers, and
what each step of the escalation ladder does to a notice whose answers are missing.

The number is gap-free per issuing division and year: it is taken inside the issuing transaction
while the division row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite writes one at a time),
so two bureaus never wait for each other and a rolled-back notice leaves no hole.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.alerts import rules_notices as rules
from yingji.alerts.models import Notice, NoticeRecipient, Warning
from yingji.core.escalation import services as escalation
from yingji.core.escalation.services import Firing
from yingji.core.models import Division
from yingji.core.scoping import import_prefix
from yingji.messaging import services as messaging

INAPP = ["inapp"]


# --- reading -----------------------------------------------------------------------------------------


def visible_notices(user) -> QuerySet:
    """Notices of the user's jurisdiction, and those addressed to them or to their division."""
    if user is None or not user.is_authenticated or getattr(user, "is_enterprise_user", False):
        return Notice.objects.none()
    addressed = Q(recipients__user=user)
    if user.division_id:
        addressed |= Q(recipients__division_id=user.division_id)
    scoped = Notice.objects.for_user(user).values("pk")
    return Notice.objects.filter(Q(pk__in=scoped) | Q(pk__in=Notice.objects.filter(addressed).values("pk")))


def answerable_by(notice: Notice, user) -> list[NoticeRecipient]:
    return [
        r
        for r in notice.recipients.all()
        if rules.may_answer(
            user_id=user.pk,
            user_division=user.division_id,
            recipient_user_id=r.user_id,
            recipient_division=r.division_id,
        )
    ]


# --- issuing -----------------------------------------------------------------------------------------


def _in_scope(actor, code: str | None) -> bool:
    prefix = import_prefix(actor)
    return prefix is not None and code is not None and code.startswith(prefix)


def _check_recipients(actor, divisions: list[Division], users: list) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not divisions and not users:
        problems["recipients"] = [_("Choose at least one division or person.")]
    outside = [d.name for d in divisions if not _in_scope(actor, d.code)]
    if outside:
        problems["recipient_divisions"] = [
            _("Outside your jurisdiction: {names}.").format(names=", ".join(outside))
        ]
    strangers = [str(u) for u in users if not _in_scope(actor, u.division_id)]
    if strangers:
        problems["recipient_users"] = [
            _("Outside your jurisdiction: {names}.").format(names=", ".join(strangers))
        ]
    return problems


def _take_number(division: Division, year: int) -> int:
    list(Division.objects.select_for_update().filter(pk=division.pk).values_list("pk"))  # the per-bureau lock
    last = Notice.objects.filter(division=division, year=year).aggregate(last=Max("number"))["last"]
    return rules.next_number(last)


def issue_notice(
    *,
    actor,
    division: Division,
    title: str,
    measures: str,
    feedback_due: datetime.datetime | None,
    content: str = "",
    warning: Warning | None = None,
    recipient_divisions: Iterable[Division] = (),
    recipient_users: Iterable = (),
    now: datetime.datetime | None = None,
) -> Notice:
    now = now or timezone.now()
    if actor is not None and not actor.has_perm(rules.ISSUE_PERMISSION):
        raise PermissionDenied
    divisions, users = list(dict.fromkeys(recipient_divisions)), list(dict.fromkeys(recipient_users))
    problems = _check_recipients(actor, divisions, users)
    if not _in_scope(actor, division.code):
        problems["division"] = [_("This division is outside your jurisdiction.")]
    if warning is not None and not _in_scope(actor, warning.division_id):
        problems["warning"] = [_("This warning is outside your jurisdiction.")]
    due_problem = rules.feedback_due_problem(feedback_due, now)
    if due_problem:
        problems["feedback_due"] = [due_problem]
    if not (title or "").strip():
        problems["title"] = [_("The title is required.")]
    if not (measures or "").strip():
        problems["measures"] = [_("The required measures are required.")]
    if problems or feedback_due is None:
        raise ValidationError(problems)
    with transaction.atomic():
        year = timezone.localtime(now).year
        notice = Notice(
            division=division,
            year=year,
            number=_take_number(division, year),
            warning=warning,
            title=title.strip(),
            content=content,
            measures=measures,
            feedback_due=feedback_due,
            issued_by=actor,
            issued_at=now,
        )
        notice.full_clean()
        notice.save()
        NoticeRecipient.objects.bulk_create(
            [NoticeRecipient(notice=notice, division=d) for d in divisions]
            + [NoticeRecipient(notice=notice, user=u) for u in users]
        )
        escalation.attach_deadline(notice, due_at=feedback_due, actor=actor, now=now)
        people = _people_of(list(notice.recipients.all()))
        if people:
            messaging.send(people, "notice", _message(notice, new=True), INAPP, now=now)
    return notice


# --- answering ---------------------------------------------------------------------------------------


def record_feedback(
    recipient: NoticeRecipient,
    *,
    actor,
    feedback: str,
    measures_taken: str = "",
    now: datetime.datetime | None = None,
) -> NoticeRecipient:
    now = now or timezone.now()
    if not rules.may_answer(
        user_id=actor.pk,
        user_division=actor.division_id,
        recipient_user_id=recipient.user_id,
        recipient_division=recipient.division_id,
    ):
        raise PermissionDenied
    if not (feedback or "").strip():
        raise ValidationError({"feedback": _("The feedback is required.")})
    with transaction.atomic():
        recipient = NoticeRecipient.objects.select_for_update().get(pk=recipient.pk)
        recipient.feedback = feedback.strip()
        recipient.measures_taken = (measures_taken or "").strip()
        recipient.answered_at = recipient.answered_at or now  # a correction keeps the first answer time
        recipient.answered_by = actor
        recipient.save()
        notice = Notice.objects.select_for_update().get(pk=recipient.notice_id)
        if notice.closed_at is None and not notice.recipients.filter(answered_at__isnull=True).exists():
            notice.closed_at = now
            notice.save(update_fields=["closed_at"])
            escalation.close_deadline(notice, actor=actor, now=now)
    return recipient


# --- who is told -------------------------------------------------------------------------------------


def _people_of(recipients: list[NoticeRecipient]) -> list:
    """The addressed people, and the active users of the addressed divisions themselves."""
    user_model = get_user_model()
    ids = {r.user_id for r in recipients if r.user_id}
    codes = {r.division_id for r in recipients if r.division_id}
    query = Q(pk__in=ids) | Q(division_id__in=codes, enterprise__isnull=True)
    return list(user_model.objects.filter(query, is_active=True).distinct())


def _message(notice: Notice, *, new: bool = False, step: str = "") -> dict:
    url = reverse("alerts:notice_detail", args=[notice.pk])
    if new:
        subject = _("{number}: {title}").format(number=notice.document_no, title=notice.title)
    else:
        subject = _("Feedback missing on {number}: {title}").format(
            number=notice.document_no, title=notice.title
        )
    due = timezone.localtime(notice.feedback_due).strftime("%Y-%m-%d %H:%M")
    text = _("Feedback due {due}. {url}").format(due=due, url=url)
    return {"subject": subject, "text": text, "step": step}


def handle_step(firing: Firing) -> str:
    """A ladder step on a notice: remind those who have not answered; from the deadline on, tell the
    issuer too."""
    notice = Notice.objects.filter(pk=firing.object_id).first()
    if notice is None:
        return "skipped: no such notice"
    if notice.closed_at is not None:
        return "skipped: all answered"
    waiting = list(notice.recipients.filter(answered_at__isnull=True))
    people = _people_of(waiting)
    if firing.action != "remind_assignee" and notice.issued_by_id:
        issuer = get_user_model().objects.filter(pk=notice.issued_by_id, is_active=True).first()
        if issuer is not None and issuer not in people:
            people.append(issuer)
    if people:
        context = _message(notice, step=firing.action)
        messaging.send(people, "notice", context, INAPP, now=firing.now, savepoint=False)
    return f"notified {len(people)}"


def register() -> None:
    """Called from AlertsConfig.ready(): what the ladder's steps do to a notice."""
    for action in (
        "remind_assignee",
        "notify_superior",
        "mark_overdue",
        "formal_letter",
        "public_notice",
        "interview",
        "exposure",
    ):
        escalation.register_action(action, handle_step, model=Notice)
