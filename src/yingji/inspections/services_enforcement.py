"""Enforcement use cases: one function per action a person takes, each in one transaction.

A refused action raises `rules_enforcement.TransitionError` (the API answers 409 `{code, message}`, 403
for `forbidden`); bad field values raise `ValidationError({field: message})` (400 `invalid_data`).
Either way nothing is written: document numbers are consumed inside the same transaction
(numbering.assign), so a rejected request gives its number back.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from yingji.core.escalation import services as escalation
from yingji.core.models import Division
from yingji.inspections import documents, notifications_enforcement, numbering
from yingji.inspections import rules_enforcement as rules
from yingji.inspections.models_checklists import Finding, Inspection
from yingji.inspections.models_enforcement import (
    EnforcementDocument,
    EnforcementLead,
    NumberPattern,
    PenaltyCase,
    RectificationOrder,
    Reinspection,
    ReinspectionResult,
    Suspension,
)
from yingji.inspections.rules_enforcement import ORDER, PENALTY, SUSPENSION, Action, Facts, TransitionError
from yingji.registry.models import Enterprise

LEAD = rules.LEAD

# -- helpers ----------------------------------------------------------------------------------------


def _in_scope(model, actor, pk) -> bool:
    if actor is None:  # the system (a task, another app's automatic lead)
        return True
    return model.objects.for_user(actor).filter(pk=pk).exists()


def _check(kind: str, obj, actor, action: str, facts: Facts | None = None) -> None:
    refusal = rules.refusal(kind, obj, actor, action, facts or Facts())
    if refusal is not None:
        raise refusal


def _end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def issue_document(
    kind: str, record, *, actor, enterprise: Enterprise, division: Division, now: datetime.datetime, **links
) -> EnforcementDocument:
    """Number and snapshot one document. Call inside the transaction that writes `record`."""
    year = timezone.localdate(now).year
    numbering_, seq, number = numbering.assign(division.code, kind, year)
    content = documents.snapshot(
        kind, record, number=number, bureau=documents.bureau_name(division), issued_at=now
    )
    document = EnforcementDocument.objects.create(
        kind=kind,
        number=number,
        numbering_division_id=numbering_.division_id,
        year=year,
        seq=seq,
        enterprise=enterprise,
        division=division,
        content=content,
        issued_by=actor,
        issued_at=now,
        **links,
    )
    transaction.on_commit(partial(notifications_enforcement.document_issued, document.pk))
    return document


# -- leads (线索) -------------------------------------------------------------------------------------


def open_lead(*, actor, enterprise: Enterprise, source: str, summary: str, origin=None) -> EnforcementLead:
    """A new enforcement lead on `enterprise` (other apps call this: roll-calls, video checks, dust
    check-ins, alarms). `origin` is the record that raised it, if any; `actor` may be None (system)."""
    errors: dict[str, str] = {}
    if source not in {c for c, _label in EnforcementLead._meta.get_field("source").choices}:
        errors["source"] = _("Choose a valid source.")
    if not (summary or "").strip():
        errors["summary"] = _("The summary is required.")
    if enterprise is None or not _in_scope(Enterprise, actor, enterprise.pk):
        errors["enterprise"] = _("Choose an enterprise in your jurisdiction.")
    if errors:
        raise ValidationError(errors)
    origin_type, origin_id = None, ""
    if origin is not None:
        origin_type, origin_id = ContentType.objects.get_for_model(origin), str(origin.pk)
    return EnforcementLead.objects.create(
        enterprise=enterprise,
        division_id=enterprise.division_id,
        source=source,
        summary=summary.strip(),
        origin_type=origin_type,
        origin_id=origin_id,
        created_by=actor,
        created_at=timezone.now(),
    )


def _locked_lead(lead: EnforcementLead) -> EnforcementLead:
    return EnforcementLead.objects.select_for_update().get(pk=lead.pk)


def handle_lead(lead: EnforcementLead, *, actor, inspection: Inspection | None) -> EnforcementLead:
    with transaction.atomic():
        lead = _locked_lead(lead)
        _check(LEAD, lead, actor, Action.HANDLE)
        if inspection is None or not _in_scope(Inspection, actor, inspection.pk):
            raise ValidationError({"inspection": _("Choose an inspection in your jurisdiction.")})
        if inspection.enterprise_id != lead.enterprise_id:
            raise ValidationError({"inspection": _("The inspection must be of the lead's enterprise.")})
        lead.status, lead.inspection = rules.next_state(LEAD, lead, Action.HANDLE), inspection
        lead.closed_by, lead.closed_at = actor, timezone.now()
        lead.save()
    return lead


def dismiss_lead(lead: EnforcementLead, *, actor, reason: str) -> EnforcementLead:
    with transaction.atomic():
        lead = _locked_lead(lead)
        _check(LEAD, lead, actor, Action.DISMISS)
        if not (reason or "").strip():
            raise ValidationError({"reason": _("The reason is required to dismiss a lead.")})
        lead.status, lead.dismiss_reason = rules.next_state(LEAD, lead, Action.DISMISS), reason.strip()
        lead.closed_by, lead.closed_at = actor, timezone.now()
        lead.save()
    return lead


# -- inspection record and order --------------------------------------------------------------------


def issue_inspection_record(*, actor, inspection: Inspection | None, now=None) -> EnforcementDocument:
    """现场检查记录 of an inspection (one per inspection: a second call returns the first)."""
    now = now or timezone.now()
    if not actor.has_perm("inspections.add_enforcementdocument"):
        raise TransitionError("forbidden", _("You do not have permission for this action."))
    if inspection is None or not _in_scope(Inspection, actor, inspection.pk):
        raise ValidationError({"inspection": _("Choose an inspection in your jurisdiction.")})
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        existing = inspection.documents.filter(kind=rules.INSPECTION_RECORD).first()
        if existing is not None:
            return existing
        return issue_document(
            rules.INSPECTION_RECORD,
            inspection,
            actor=actor,
            enterprise=inspection.enterprise,
            division=inspection.division,
            now=now,
            inspection=inspection,
        )


def issue_order(
    *,
    actor,
    inspection: Inspection | None,
    deadline: datetime.date | None = None,
    requirements: str = "",
    now: datetime.datetime | None = None,
) -> RectificationOrder:
    """责令限期整改指令书 for an inspection with findings; its deadline goes on the escalation ladder."""
    now = now or timezone.now()
    if not actor.has_perm("inspections.add_rectificationorder"):
        raise TransitionError("forbidden", _("You do not have permission for this action."))
    if inspection is None or not _in_scope(Inspection, actor, inspection.pk):
        raise ValidationError({"inspection": _("Choose an inspection in your jurisdiction.")})
    with transaction.atomic():
        inspection = (
            Inspection.objects.select_for_update()
            .select_related("enterprise", "division")
            .get(pk=inspection.pk)
        )
        if RectificationOrder.objects.filter(inspection=inspection).exists():
            raise TransitionError("order_exists", _("This inspection already has a rectification order."))
        findings = list(inspection.findings.all())
        if not findings:
            raise ValidationError({"inspection": _("The inspection has no findings to rectify.")})
        if deadline is None:
            deadline = max(f.deadline for f in findings)
        if deadline < timezone.localdate(now):
            raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
        order = RectificationOrder.objects.create(
            inspection=inspection,
            enterprise=inspection.enterprise,
            division=inspection.division,
            deadline=deadline,
            requirements=(requirements or "").strip(),
            issued_by=actor,
            issued_at=now,
        )
        issue_document(
            rules.RECTIFICATION_ORDER,
            order,
            actor=actor,
            enterprise=order.enterprise,
            division=order.division,
            now=now,
            inspection=inspection,
            order=order,
        )
        escalation.attach_deadline(order, due_at=_end_of_day(deadline), actor=actor, now=now)
    return order


def latest_reinspection(order: RectificationOrder) -> Reinspection | None:
    return order.reinspections.order_by("-performed_at", "-id").first()


def order_facts(order: RectificationOrder, today: datetime.date | None = None) -> Facts:
    counts = {"rectified": 0, "not_rectified": 0}
    latest = latest_reinspection(order)
    if latest is not None:
        for result in latest.results.values_list("result", flat=True):
            counts[result] = counts.get(result, 0) + 1
    return Facts(
        today=today or timezone.localdate(),
        deadline=order.deadline,
        unrectified=counts["not_rectified"],
        rectified=counts["rectified"],
    )


def order_actions(order: RectificationOrder, user) -> list[str]:
    return rules.allowed_actions(ORDER, order, user, order_facts(order))


def _locked_order(order: RectificationOrder) -> RectificationOrder:
    return (
        RectificationOrder.objects.select_for_update()
        .select_related("enterprise", "division")
        .get(pk=order.pk)
    )


def reinspect(
    *,
    actor,
    order: RectificationOrder | None = None,
    inspection: Inspection | None = None,
    results: Mapping[int, str] | Iterable[tuple[int, str]],
    notes: Mapping[int, str] | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Reinspection:
    """整改复查 on or after the order's deadline: a result (rectified / not_rectified) for every finding
    of the order; writes the 整改复查意见书. Then the order can be closed or referred to a penalty."""
    now = now or timezone.now()
    if order is None:
        if inspection is None:
            raise ValidationError({"order": _("Choose the order to re-inspect.")})
        order = RectificationOrder.objects.filter(inspection=inspection).first()
        if order is None:
            raise TransitionError(
                "no_order", _("There is no rectification order to re-inspect for this inspection.")
            )
    if not _in_scope(RectificationOrder, actor, order.pk):
        raise ValidationError({"order": _("Choose an order in your jurisdiction.")})
    with transaction.atomic():
        order = _locked_order(order)
        _check(ORDER, order, actor, Action.REINSPECT, order_facts(order, timezone.localdate(now)))
        given = dict(results.items() if isinstance(results, Mapping) else results)
        findings = {
            f.pk: f
            for f in Finding.objects.filter(inspection_id=order.inspection_id).select_related("hazard")
        }
        errors = []
        unknown = sorted(str(k) for k in given if k not in findings)
        if unknown:
            errors.append(_("Unknown findings: {ids}.").format(ids=", ".join(unknown)))
        missing = sorted(str(k) for k in findings if k not in given)
        if missing:
            errors.append(
                _("A result is required for every finding (missing: {ids}).").format(ids=", ".join(missing))
            )
        bad = sorted(str(k) for k, v in given.items() if v not in ("rectified", "not_rectified"))
        if bad:
            errors.append(
                _("Each result must be rectified or not_rectified ({ids}).").format(ids=", ".join(bad))
            )
        if errors:
            raise ValidationError({"results": errors})
        reinspection = Reinspection.objects.create(
            order=order,
            division=order.division,
            enterprise=order.enterprise,
            performed_at=now,
            performed_by=actor,
            note=(note or "").strip(),
        )
        notes = notes or {}
        ReinspectionResult.objects.bulk_create(
            ReinspectionResult(
                reinspection=reinspection, finding_id=pk, result=given[pk], note=(notes.get(pk) or "")[:500]
            )
            for pk in sorted(findings)
        )
        order.status = rules.next_state(ORDER, order, Action.REINSPECT)
        order.save(update_fields=["status", "updated_at"])
        _sync_hazards(findings, given, actor, now)
        issue_document(
            rules.REINSPECTION_OPINION,
            reinspection,
            actor=actor,
            enterprise=order.enterprise,
            division=order.division,
            now=now,
            inspection=order.inspection,
            order=order,
            reinspection=reinspection,
        )
    return reinspection


def _sync_hazards(findings: Mapping[int, Finding], results: Mapping[int, str], actor, now) -> None:
    """The hidden dangers made from the findings follow the re-inspection where their own loop allows
    it: a rectification the enterprise submitted is verified (rectified) or rejected (not rectified)
    through the hazards services; a hazard in any other state is left to its own loop."""
    from yingji.hazards import services as hazards

    for pk, finding in findings.items():
        hazard = finding.hazard
        if hazard is None or hazard.status != "submitted":
            continue
        allowed = hazards.allowed_actions(hazard, actor)
        note = _("Re-inspection of the rectification order.")
        if results.get(pk) == "rectified" and "verify" in allowed:
            hazards.verify_hazard(hazard, actor=actor, note=note, now=now)
        elif results.get(pk) == "not_rectified" and "reject" in allowed:
            hazards.reject_rectification(hazard, actor=actor, note=note, now=now)


def close_order(
    order: RectificationOrder, *, actor, now: datetime.datetime | None = None
) -> RectificationOrder:
    """Close an order whose latest re-inspection found every finding rectified."""
    now = now or timezone.now()
    with transaction.atomic():
        order = _locked_order(order)
        _check(ORDER, order, actor, Action.CLOSE, order_facts(order, timezone.localdate(now)))
        order.status, order.closed_at = rules.next_state(ORDER, order, Action.CLOSE), now
        order.save(update_fields=["status", "closed_at", "updated_at"])
        _close_deadline(order, actor, now)
    return order


def _close_deadline(order: RectificationOrder, actor, now) -> None:
    # No open deadline: closed already, or seeded without one.
    with contextlib.suppress(ValidationError):
        escalation.close_deadline(order, actor=actor, now=now)


def refer_penalty(
    order: RectificationOrder, *, actor, facts: str = "", now: datetime.datetime | None = None
) -> PenaltyCase:
    """The findings not rectified at the re-inspection become a penalty case awaiting its decision."""
    now = now or timezone.now()
    with transaction.atomic():
        order = _locked_order(order)
        _check(ORDER, order, actor, Action.REFER_PENALTY, order_facts(order, timezone.localdate(now)))
        latest = latest_reinspection(order)
        assert latest is not None  # the table allows it only after a re-inspection
        unrectified = [r.finding_id for r in latest.results.filter(result="not_rectified")]
        penalty = PenaltyCase.objects.create(
            enterprise=order.enterprise,
            division=order.division,
            order=order,
            facts=(facts or "").strip(),
            opened_by=actor,
            opened_at=now,
        )
        penalty.findings.set(unrectified)
        order.status, order.closed_at = rules.next_state(ORDER, order, Action.REFER_PENALTY), now
        order.save(update_fields=["status", "closed_at", "updated_at"])
        _close_deadline(order, actor, now)
    return penalty


# -- penalties --------------------------------------------------------------------------------------


def _amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("Enter a number.")}) from None


def _validate_decision(legal_basis: str, amount, discretion: str, violation: str) -> Decimal:
    value = _amount(amount)
    errors = rules.check_decision(
        legal_basis=legal_basis, amount=value, discretion=discretion, violation_code=violation
    )
    if errors:
        raise ValidationError(errors)
    assert value is not None
    return value


def _locked_penalty(penalty: PenaltyCase) -> PenaltyCase:
    return PenaltyCase.objects.select_for_update().select_related("enterprise", "division").get(pk=penalty.pk)


def decide_penalty(
    penalty: PenaltyCase,
    *,
    actor,
    legal_basis: str,
    amount,
    discretion: str,
    violation: str = "",
    facts: str | None = None,
    suspend: bool = False,
    suspension_reason: str = "",
    now: datetime.datetime | None = None,
) -> PenaltyCase:
    """行政处罚决定: legal basis required, amount > 0 (inside the discretion band when the violation is in
    the table); writes the 行政处罚决定书 and, with `suspend`, a 停产停业整顿 with its 强制措施决定书."""
    now = now or timezone.now()
    if not _in_scope(PenaltyCase, actor, penalty.pk):
        raise ValidationError({"penalty": _("Choose a penalty case in your jurisdiction.")})
    with transaction.atomic():
        penalty = _locked_penalty(penalty)
        _check(PENALTY, penalty, actor, Action.DECIDE)
        value = _validate_decision(legal_basis, amount, discretion, violation)
        if suspend and not (suspension_reason or "").strip():
            raise ValidationError({"suspension_reason": _("The reason is required for a suspension.")})
        penalty.legal_basis, penalty.amount, penalty.discretion = legal_basis.strip(), value, discretion
        penalty.violation = violation
        if facts is not None:
            penalty.facts = facts.strip()
        penalty.status = rules.next_state(PENALTY, penalty, Action.DECIDE).split("/")[0]
        penalty.decided_by, penalty.decided_at = actor, now
        penalty.save()
        issue_document(
            rules.PENALTY_DECISION,
            penalty,
            actor=actor,
            enterprise=penalty.enterprise,
            division=penalty.division,
            now=now,
            order=penalty.order,
            penalty=penalty,
        )
        if suspend:
            _suspend(
                actor=actor,
                enterprise=penalty.enterprise,
                reason=suspension_reason,
                legal_basis=penalty.legal_basis,
                penalty=penalty,
                now=now,
            )
    return penalty


def create_penalty(
    *,
    actor,
    enterprise: Enterprise,
    legal_basis: str,
    amount,
    discretion: str,
    violation: str = "",
    facts: str = "",
    order: RectificationOrder | None = None,
    suspend: bool = False,
    suspension_reason: str = "",
    now: datetime.datetime | None = None,
) -> PenaltyCase:
    """A penalty case decided at once (without a preceding order, or on a given order)."""
    now = now or timezone.now()
    if not actor.has_perm("inspections.add_penaltycase"):
        raise TransitionError("forbidden", _("You do not have permission for this action."))
    if enterprise is None or not _in_scope(Enterprise, actor, enterprise.pk):
        raise ValidationError({"enterprise": _("Choose an enterprise in your jurisdiction.")})
    if order is not None and order.enterprise_id != enterprise.pk:
        raise ValidationError({"order": _("The order must be of the same enterprise.")})
    _validate_decision(legal_basis, amount, discretion, violation)  # before anything is written
    with transaction.atomic():
        penalty = PenaltyCase.objects.create(
            enterprise=enterprise,
            division_id=enterprise.division_id,
            order=order,
            facts=(facts or "").strip(),
            opened_by=actor,
            opened_at=now,
        )
        return decide_penalty(
            penalty,
            actor=actor,
            legal_basis=legal_basis,
            amount=amount,
            discretion=discretion,
            violation=violation,
            suspend=suspend,
            suspension_reason=suspension_reason,
            now=now,
        )


def _penalty_step(penalty: PenaltyCase, action: str, actor, now=None) -> PenaltyCase:
    now = now or timezone.now()
    with transaction.atomic():
        penalty = _locked_penalty(penalty)
        _check(PENALTY, penalty, actor, action)
        penalty.status, penalty.payment_status = rules.next_state(PENALTY, penalty, action).split("/")
        if action in (Action.PAY, Action.ENFORCE):
            penalty.paid_at = now
        if action == Action.CLOSE:
            penalty.closed_at = now
        penalty.save()
    return penalty


def record_payment(penalty: PenaltyCase, *, actor, now=None) -> PenaltyCase:
    return _penalty_step(penalty, Action.PAY, actor, now)


def enforce_payment(penalty: PenaltyCase, *, actor, now=None) -> PenaltyCase:
    return _penalty_step(penalty, Action.ENFORCE, actor, now)


def close_penalty(penalty: PenaltyCase, *, actor, now=None) -> PenaltyCase:
    return _penalty_step(penalty, Action.CLOSE, actor, now)


def penalty_actions(penalty: PenaltyCase, user) -> list[str]:
    return rules.allowed_actions(PENALTY, penalty, user)


# -- suspensions (停产停业整顿) ------------------------------------------------------------------------


def _suspend(
    *, actor, enterprise: Enterprise, reason: str, legal_basis: str, penalty=None, now
) -> Suspension:
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("The reason is required for a suspension.")
    if not (legal_basis or "").strip():
        errors["legal_basis"] = _("The legal basis is required for a suspension.")
    if errors:
        raise ValidationError(errors)
    if Suspension.objects.filter(enterprise=enterprise, status="active").exists():
        raise TransitionError("already_suspended", _("The enterprise is already suspended."))
    suspension = Suspension.objects.create(
        enterprise=enterprise,
        division_id=enterprise.division_id,
        penalty=penalty,
        reason=reason.strip(),
        legal_basis=legal_basis.strip(),
        started_at=now,
        started_by=actor,
    )
    issue_document(
        rules.COERCIVE_MEASURE,
        suspension,
        actor=actor,
        enterprise=enterprise,
        division=suspension.division,
        now=now,
        penalty=penalty,
        suspension=suspension,
    )
    return suspension


def start_suspension(
    *,
    actor,
    enterprise: Enterprise,
    reason: str,
    legal_basis: str,
    penalty: PenaltyCase | None = None,
    now=None,
) -> Suspension:
    now = now or timezone.now()
    if not actor.has_perm("inspections.add_suspension"):
        raise TransitionError("forbidden", _("You do not have permission for this action."))
    if enterprise is None or not _in_scope(Enterprise, actor, enterprise.pk):
        raise ValidationError({"enterprise": _("Choose an enterprise in your jurisdiction.")})
    with transaction.atomic():
        Enterprise.objects.select_for_update().get(pk=enterprise.pk)  # one active suspension at a time
        return _suspend(
            actor=actor,
            enterprise=enterprise,
            reason=reason,
            legal_basis=legal_basis,
            penalty=penalty,
            now=now,
        )


def lift_suspension(suspension: Suspension, *, actor, note: str = "", now=None) -> Suspension:
    now = now or timezone.now()
    with transaction.atomic():
        suspension = Suspension.objects.select_for_update().get(pk=suspension.pk)
        _check(SUSPENSION, suspension, actor, Action.LIFT)
        suspension.status = rules.next_state(SUSPENSION, suspension, Action.LIFT)
        suspension.lifted_at, suspension.lifted_by, suspension.lift_note = now, actor, (note or "").strip()
        suspension.save()
    return suspension


def active_suspension(enterprise_id: int) -> Suspension | None:
    return Suspension.objects.filter(enterprise_id=enterprise_id, status="active").first()


# -- number patterns --------------------------------------------------------------------------------


def save_pattern(
    *,
    actor,
    division: Division | None,
    kind: str,
    pattern: str,
    abbr: str = "",
    code: str = "",
    instance=None,
) -> NumberPattern:
    errors: dict[str, str] = {}
    message = rules.check_pattern(pattern)
    if message:
        errors["pattern"] = message
    if kind not in rules.DOCUMENT_TITLES:
        errors["kind"] = _("Choose a document kind.")
    prefix = getattr(actor, "scope_prefix", None)
    if division is None or prefix is None or not division.code.startswith(prefix):
        errors["division"] = _("Choose a division in your jurisdiction.")
    if errors:
        raise ValidationError(errors)
    assert division is not None
    clash = NumberPattern.objects.filter(division=division, kind=kind)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise ValidationError({"kind": _("This division already has a pattern for this document kind.")})
    with transaction.atomic():
        target = instance or NumberPattern()
        target.division, target.kind, target.pattern = division, kind, pattern.strip()
        target.abbr, target.code = (abbr or "").strip(), (code or "").strip()
        target.save()
    return target


def delete_pattern(pattern: NumberPattern, *, actor) -> None:
    with transaction.atomic():
        pattern.delete()


# -- the enterprise timeline ------------------------------------------------------------------------


def timeline(enterprise: Enterprise, user, limit: int = 200) -> list[dict]:
    """Everything that happened to an enterprise, newest first: hidden-danger events, inspections,
    orders, re-inspections, penalties, suspensions, leads and documents (each read through for_user)."""
    from django.urls import reverse

    from yingji.hazards.models import Hazard, HazardEvent
    from yingji.hazards.rules import EVENT_LABELS

    entries: list[dict] = []

    def add(at, kind: str, label, text: str, url: str = "", colour: str = "secondary") -> None:
        if at is not None:
            entries.append(
                {"at": at, "kind": kind, "label": str(label), "text": text, "url": url, "colour": colour}
            )

    hazards = Hazard.objects.for_user(user).filter(enterprise=enterprise)
    for event in (
        HazardEvent.objects.filter(hazard__in=hazards).select_related("hazard").order_by("-at", "-id")[:limit]
    ):
        add(
            event.at,
            "hazard",
            EVENT_LABELS.get(event.action, event.action),
            event.hazard.title,
            reverse("hazards:hazard_detail", args=[event.hazard_id]),
            "orange",
        )
    inspection_label = capfirst(Inspection._meta.verbose_name)
    for inspection in (
        Inspection.objects.for_user(user).filter(enterprise=enterprise).order_by("-started_at")[:limit]
    ):
        add(
            inspection.started_at,
            "inspection",
            inspection_label,
            inspection.summary or str(inspection.get_kind_display()),
            "",
            "blue",
        )
    for order in (
        RectificationOrder.objects.for_user(user).filter(enterprise=enterprise).order_by("-issued_at")[:limit]
    ):
        url = reverse("inspections:rectificationorder_detail", args=[order.pk])
        add(
            order.issued_at,
            "order",
            _("Rectification order issued"),
            _("Deadline {date}").format(date=order.deadline),
            url,
            "orange",
        )
        if order.closed_at:
            add(order.closed_at, "order", order.get_status_display(), "", url, order.status_colour)
    for r in (
        Reinspection.objects.for_user(user).filter(enterprise=enterprise).order_by("-performed_at")[:limit]
    ):
        url = reverse("inspections:rectificationorder_detail", args=[r.order_id])
        add(r.performed_at, "reinspection", capfirst(Reinspection._meta.verbose_name), r.note, url, "purple")
    for p in PenaltyCase.objects.for_user(user).filter(enterprise=enterprise).order_by("-opened_at")[:limit]:
        url = reverse("inspections:penaltycase_detail", args=[p.pk])
        add(p.opened_at, "penalty", _("Penalty case opened"), p.facts, url, "red")
        if p.decided_at:
            add(p.decided_at, "penalty", _("Penalty decided"), f"{p.legal_basis} ¥{p.amount}", url, "red")
    for s in Suspension.objects.for_user(user).filter(enterprise=enterprise).order_by("-started_at")[:limit]:
        add(s.started_at, "suspension", _("Suspended (停产停业整顿)"), s.reason, "", "red")
        add(s.lifted_at, "suspension", _("Suspension lifted"), s.lift_note, "", "green")
    for lead in (
        EnforcementLead.objects.for_user(user).filter(enterprise=enterprise).order_by("-created_at")[:limit]
    ):
        url = reverse("inspections:enforcementlead_detail", args=[lead.pk])
        add(lead.created_at, "lead", _("Enforcement lead"), lead.summary, url, "azure")
    for doc in (
        EnforcementDocument.objects.for_user(user)
        .filter(enterprise=enterprise)
        .order_by("-issued_at")[:limit]
    ):
        url = reverse("inspections:enforcementdocument_detail", args=[doc.pk])
        add(doc.issued_at, "document", doc.title, doc.number, url, "teal")
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:limit]


# -- wiring -----------------------------------------------------------------------------------------


def register() -> None:
    """Called from InspectionsConfig.ready(): audit of the enforcement models and the ladder's actions
    for rectification orders."""
    from yingji.core import audit
    from yingji.inspections.escalation_actions_enforcement import register as register_escalation

    for model in (RectificationOrder, Reinspection, PenaltyCase, Suspension, EnforcementLead, NumberPattern):
        audit.register(model, exclude=["updated_at"] if model in (RectificationOrder, NumberPattern) else [])
    audit.register(EnforcementDocument, exclude=["content"])
    register_escalation()
