"""Checklist templates (检查表): create, edit while a draft, new version (a copy), activate, retire,
delete a draft, xlsx/csv import and export, and loading the templates shipped in data/.

Every change takes the actor keyword-only and runs in one transaction; a bad value raises
`ValidationError({field: message})`, a refused action `rules_checklists.TemplateRefused`. Either way
nothing changes.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from yingji.core import audit, tabular
from yingji.core.scoping import import_prefix
from yingji.core.tabular import Column, ImportReport, ParsedRow, TableError
from yingji.hazards.models import HazardCriterion
from yingji.inspections import rules_checklists as rules
from yingji.inspections.models_checklists import ChecklistItem, ChecklistTemplate, Topic
from yingji.inspections.rules_checklists import ItemLine, TemplateRefused

DATA_DIR = Path(__file__).parent / "data"
SHEET_TITLE = "检查表"

TEMPLATE_FIELDS = ("code", "name", "topic", "industries", "description")


# -- lookups ----------------------------------------------------------------------------------------


def visible_templates(user):
    return ChecklistTemplate.objects.for_user(user)


def active_templates(user, enterprise=None) -> list[ChecklistTemplate]:
    """The active templates the user may use, those suiting the enterprise's industry first."""
    templates = list(visible_templates(user).filter(status="active"))
    if enterprise is not None:
        templates.sort(key=lambda t: not rules.suits_industry(t.industries, enterprise.industry or ""))
    return templates


def known_criteria(codes: Iterable[str]) -> dict[str, HazardCriterion]:
    codes = [c for c in codes if c]
    return {c.code: c for c in HazardCriterion.objects.filter(code__in=codes)} if codes else {}


def _check_access(template: ChecklistTemplate, actor) -> None:
    """The actor must see the template; the platform's own templates are changed from the top only."""
    if actor is None:
        return
    prefix = getattr(actor, "scope_prefix", None)
    if not visible_templates(actor).filter(pk=template.pk).exists() or (
        template.division_id is not None and not template.division_id.startswith(prefix or "-")
    ):
        raise ValidationError({"template": _("This checklist is outside your jurisdiction.")})
    if template.division_id is None and getattr(actor, "scope_prefix", None) != "":
        raise TemplateRefused(
            "platform_template",
            _("Checklists shipped with the platform cannot be changed here; make a new version instead."),
        )


def _refuse(template: ChecklistTemplate, action: str) -> None:
    refused = rules.refusal(template.status, action)
    if refused is not None:
        raise refused


def _division_of(actor):
    return getattr(actor, "division", None) if actor is not None else None


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    data = {k: fields[k] for k in TEMPLATE_FIELDS if k in fields}
    for key in ("code", "name", "industries", "description"):
        if key in data:
            data[key] = (data[key] or "").strip()
    if "industries" in data:
        error = rules.industries_error(data["industries"])
        if error:
            raise ValidationError({"industries": error})
        data["industries"] = ",".join(rules.parse_industries(data["industries"]))
    return data


def _item_lines(items: Sequence[ItemLine | dict]) -> list[ItemLine]:
    lines = [i if isinstance(i, ItemLine) else ItemLine(**i) for i in items]
    if len(lines) > rules.MAX_ITEMS:
        raise ValidationError({"items": _("At most {n} items.").format(n=rules.MAX_ITEMS)})
    criteria = known_criteria(line.criterion for line in lines)
    filled = []
    errors: dict[str, list[str]] = {}
    for index, line in enumerate(lines):
        criterion = criteria.get(line.criterion)
        if criterion is not None and not line.text.strip():
            line = ItemLine(**{**line.__dict__, "text": criterion.text})
        if criterion is not None and not line.legal_basis.strip():
            line = ItemLine(**{**line.__dict__, "legal_basis": criterion.source[: rules.LEGAL_BASIS_MAX]})
        for field, message in rules.item_errors(line, set(criteria)).items():
            errors.setdefault(f"items[{index}].{field}", []).append(message)
        filled.append(line)
    for number in sorted(rules.duplicate_numbers([line.number for line in filled])):
        errors.setdefault("items", []).append(_("Number {n} is used twice.").format(n=number))
    if errors:
        raise ValidationError(errors)
    return filled


def _write_items(template: ChecklistTemplate, lines: list[ItemLine]) -> None:
    criteria = known_criteria(line.criterion for line in lines)
    template.items.all().delete()
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            template=template,
            number=line.number,
            text=line.text.strip(),
            legal_basis=line.legal_basis.strip(),
            is_major_criterion=line.is_major_criterion,
            criterion=criteria.get(line.criterion),
            default_deadline_days=line.default_deadline_days,
        )
        for line in sorted(lines, key=lambda line: line.number)
    )


# -- actions ----------------------------------------------------------------------------------------


def create_template(*, actor, items: Sequence[ItemLine | dict] = (), **fields) -> ChecklistTemplate:
    """A new checklist (version 1, draft) owned by the actor's division."""
    data = _clean_fields(fields)
    lines = _item_lines(items)
    with transaction.atomic():
        if ChecklistTemplate.objects.filter(code=data.get("code", "")).exists():
            raise ValidationError(
                {"code": _("A checklist with this code exists; make a new version of it instead.")}
            )
        template = ChecklistTemplate(**data, version=1, status="draft", division=_division_of(actor))
        template.created_by = actor
        template.full_clean()
        template.save()
        _write_items(template, lines)
    return template


def update_template(
    template: ChecklistTemplate, *, actor, items: Sequence[ItemLine | dict] | None = None, **fields
) -> ChecklistTemplate:
    """Change a draft's fields and (when given) replace its items."""
    data = _clean_fields(fields)
    data.pop("code", None)  # the code names every version: it does not change
    lines = _item_lines(items) if items is not None else None
    with transaction.atomic():
        template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
        _check_access(template, actor)
        _refuse(template, "edit")
        for key, value in data.items():
            setattr(template, key, value)
        template.full_clean()
        template.save()
        if lines is not None:
            _write_items(template, lines)
    return template


def new_version(template: ChecklistTemplate, *, actor) -> ChecklistTemplate:
    """A draft copy of the template with the next version number; the original is untouched."""
    if actor is not None and not visible_templates(actor).filter(pk=template.pk).exists():
        raise ValidationError({"template": _("This checklist is outside your jurisdiction.")})
    for attempt in range(3):
        try:
            with transaction.atomic():
                latest = ChecklistTemplate.objects.filter(code=template.code).aggregate(v=Max("version"))["v"]
                copy = ChecklistTemplate.objects.create(
                    code=template.code,
                    name=template.name,
                    topic=template.topic,
                    industries=template.industries,
                    description=template.description,
                    version=(latest or 0) + 1,
                    status="draft",
                    division=_division_of(actor) if actor is not None else template.division,
                    created_by=actor,
                )
                ChecklistItem.objects.bulk_create(
                    ChecklistItem(
                        template=copy,
                        number=item.number,
                        text=item.text,
                        legal_basis=item.legal_basis,
                        is_major_criterion=item.is_major_criterion,
                        criterion_id=item.criterion_id,
                        default_deadline_days=item.default_deadline_days,
                    )
                    for item in template.items.all()
                )
                return copy
        except IntegrityError:  # someone took the number meanwhile: take the next one
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def activate_template(template: ChecklistTemplate, *, actor) -> ChecklistTemplate:
    """Put a draft in use; the code's active version in the same ownership is retired."""
    with transaction.atomic():
        template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
        _check_access(template, actor)
        _refuse(template, "activate")
        if not template.items.exists():
            raise ValidationError({"items": _("A checklist needs at least one item.")})
        ChecklistTemplate.objects.filter(
            code=template.code, status="active", division=template.division
        ).update(status="retired")
        template.status = "active"
        template.save(update_fields=["status", "updated_at"])
    return template


def retire_template(template: ChecklistTemplate, *, actor) -> ChecklistTemplate:
    with transaction.atomic():
        template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
        _check_access(template, actor)
        _refuse(template, "retire")
        template.status = "retired"
        template.save(update_fields=["status", "updated_at"])
    return template


def delete_template(template: ChecklistTemplate, *, actor) -> None:
    with transaction.atomic():
        template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
        _check_access(template, actor)
        _refuse(template, "delete")
        if template.inspections.exists():
            raise ValidationError({"template": _("Inspections used this checklist; retire it instead.")})
        template.delete()


# -- spreadsheets -----------------------------------------------------------------------------------

TOPIC_WORDS = {
    **{value: value for value in Topic.values},
    "危化": "hazchem",
    "危险化学品": "hazchem",
    "粉尘涉爆": "dust",
    "粉尘": "dust",
    "有限空间": "confined_space",
    "工贸通用": "industry_general",
    "工贸": "industry_general",
    "小场所消防": "small_venue_fire",
    "消防": "small_venue_fire",
    "其他": "other",
}
TOPIC_EXPORT = {
    "hazchem": "危化",
    "dust": "粉尘涉爆",
    "confined_space": "有限空间",
    "industry_general": "工贸通用",
    "small_venue_fire": "小场所消防",
    "other": "其他",
}


def _code(value: str) -> str:
    code = value.strip()
    if not code.replace("-", "").replace("_", "").isalnum() or not code.isascii() or len(code) > 50:
        raise tabular.CellError(_("Letters, digits, - and _ only (at most 50)."), "invalid_code")
    return code


def _industries(value: str) -> str:
    error = rules.industries_error(value)
    if error:
        raise tabular.CellError(error, "invalid_industries")
    return ",".join(rules.parse_industries(value))


ITEM_COLUMNS: list[Column] = [
    Column(
        "code",
        "检查表编号",
        synonyms=("编号",),
        required=True,
        parse=_code,
        example="dust-local",
        export=lambda item: item.template.code,
    ),
    Column(
        "name",
        "检查表名称",
        synonyms=("名称",),
        required=True,
        parse=tabular.text(200),
        export=lambda item: item.template.name,
    ),
    Column(
        "topic",
        "专题",
        parse=tabular.choice(TOPIC_WORDS),
        choices=tuple(TOPIC_EXPORT.values()),
        default="other",
        export=lambda item: TOPIC_EXPORT.get(item.template.topic, item.template.topic),
    ),
    Column(
        "industries",
        "适用行业",
        parse=_industries,
        default="",
        help="GB/T 4754 大类代码，逗号分隔，如 26,59；留空表示通用",
        export=lambda item: item.template.industries,
    ),
    Column("number", "序号", required=True, parse=tabular.integer(1, 9999)),
    Column("text", "检查内容", synonyms=("检查项",), parse=tabular.text(rules.TEXT_MAX), default=""),
    Column(
        "legal_basis",
        "依据",
        synonyms=("法律依据", "检查依据"),
        parse=tabular.text(rules.LEGAL_BASIS_MAX),
        default="",
    ),
    Column(
        "is_major_criterion",
        "重大隐患判定项",
        parse=tabular.boolean,
        default=False,
        choices=("是", "否"),
        export=lambda item: tabular.yes_no(item.is_major_criterion),
    ),
    Column(
        "criterion",
        "判定标准条目",
        synonyms=("判定标准编号",),
        parse=tabular.text(30),
        default="",
        help="如 chem-2017-4、gongmao-2023-dust-3",
        export=lambda item: item.criterion.code if item.criterion_id else "",
    ),
    Column(
        "default_deadline_days",
        "整改期限（天）",
        synonyms=("整改期限",),
        parse=tabular.integer(1, rules.MAX_DEADLINE_DAYS),
        default=30,
    ),
]


def import_templates(content: bytes, filename: str, *, actor, dry_run: bool = False) -> ImportReport:
    """Each checklist code in the file becomes a new draft version with the file's rows as its items —
    all codes or none. Problems are reported by row and column."""
    report = ImportReport(filename=filename, dry_run=dry_run)
    _import(report, content, filename, actor, dry_run)
    report.sort_errors()
    return report


def _import(report: ImportReport, content: bytes, filename: str, actor, dry_run: bool) -> None:
    if import_prefix(actor) is None:
        report.file_error(_("Your account cannot import checklists."), "forbidden")
        return
    try:
        table = tabular.read_table(content, filename, sheet_name=SHEET_TITLE)
    except TableError as error:
        report.file_error(error.message, error.code)
        return
    parsed = tabular.parse_rows(table, ITEM_COLUMNS, report)
    if not parsed:
        if report.ok:
            report.file_error(_("There are no data rows below the header row."), "empty")
        return
    groups: dict[str, list[ParsedRow]] = {}
    for row in parsed:
        if "code" not in row.failed:
            groups.setdefault(row.values["code"], []).append(row)
    criteria = known_criteria(str(r.values.get("criterion") or "") for r in parsed)
    for rows in groups.values():
        _check_group(rows, report, criteria)
    if not report.ok:
        return
    report.created = len(groups)
    if dry_run:
        return
    with transaction.atomic():
        for code, rows in groups.items():
            first = rows[0].values
            latest = ChecklistTemplate.objects.filter(code=code).aggregate(v=Max("version"))["v"]
            template = ChecklistTemplate.objects.create(
                code=code,
                name=first["name"],
                topic=first["topic"] or "other",
                industries=first["industries"] or "",
                version=(latest or 0) + 1,
                status="draft",
                division=_division_of(actor),
                created_by=actor,
            )
            _write_items(template, [_line(r.values, criteria) for r in rows])
        audit.record(
            "import",
            user=actor,
            object_type="inspections.checklisttemplate",
            object_repr=filename[:200],
            note=f"{len(groups)} checklists ({len(parsed)} items) imported from {filename}",
        )


def _line(values: dict[str, Any], criteria: dict[str, HazardCriterion]) -> ItemLine:
    code = values.get("criterion") or ""
    criterion = criteria.get(code)
    text = values.get("text") or (criterion.text if criterion else "")
    basis = values.get("legal_basis") or (criterion.source[: rules.LEGAL_BASIS_MAX] if criterion else "")
    return ItemLine(
        number=values["number"],
        text=text,
        legal_basis=basis,
        is_major_criterion=bool(values.get("is_major_criterion")),
        criterion=code,
        default_deadline_days=values.get("default_deadline_days") or 30,
    )


def _check_group(rows: list[ParsedRow], report: ImportReport, criteria: dict[str, HazardCriterion]) -> None:
    seen: set[int] = set()
    for row in rows:
        if row.failed:
            continue
        number = row.values["number"]
        if number in seen:
            report.cell_error(row, "number", _("Number {n} is used twice.").format(n=number), "duplicate")
            continue
        seen.add(number)
        for field, message in rules.item_errors(_line(row.values, criteria), set(criteria)).items():
            code = "unknown_criterion" if field == "criterion" and row.values.get("criterion") else field
            report.cell_error(row, field, message, code if field == "criterion" else "invalid")


def export_templates(queryset, fmt: str, *, reveal_phones: bool = False) -> tuple[bytes, str, str]:
    """Every item of the templates in `queryset`, one row each, in the import's columns."""
    items = (
        ChecklistItem.objects.filter(template__in=queryset)
        .select_related("template", "criterion")
        .order_by("template__code", "template__version", "number")
    )
    rows = tabular.export_rows(ITEM_COLUMNS, items)
    if fmt == "csv":
        return tabular.to_csv(ITEM_COLUMNS, rows), "text/csv; charset=utf-8", "checklists.csv"
    return (
        tabular.to_xlsx(ITEM_COLUMNS, rows, sheet_title=SHEET_TITLE),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "checklists.xlsx",
    )


def import_template_xlsx() -> bytes:
    return tabular.template_xlsx(ITEM_COLUMNS, sheet_title=SHEET_TITLE, blank_rows=200)


# -- shipped templates ------------------------------------------------------------------------------


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_shipped_criteria() -> int:
    """The 判定标准 articles our templates cite that the hazards app does not ship (dust, confined
    spaces: 应急管理部令第10号 Art. 11 and 13), as HazardCriterion rows. Idempotent."""
    created = 0
    for row in _read_csv("criteria_gongmao_2023_special.csv"):
        _obj, made = HazardCriterion.objects.update_or_create(
            code=row["code"],
            defaults={
                "standard": row["standard"],
                "number": int(row["number"]),
                "short": row["short"],
                "text": row["text"],
                "source": row["source"],
            },
        )
        created += made
    return created


def load_shipped_templates() -> int:
    """Version 1 of each template in data/checklists/ (active, no division) unless its code exists."""
    with transaction.atomic():
        load_shipped_criteria()
        created = 0
        for meta in _read_csv("checklists/templates.csv"):
            if ChecklistTemplate.objects.filter(code=meta["code"]).exists():
                continue
            lines = [
                ItemLine(
                    number=int(r["number"]),
                    text=r["text"],
                    legal_basis=r["legal_basis"],
                    is_major_criterion=r["is_major_criterion"].strip() in ("是", "1", "true"),
                    criterion=r["criterion"],
                    default_deadline_days=int(r["default_deadline_days"] or 30),
                )
                for r in _read_csv(f"checklists/{meta['code']}.csv")
            ]
            template = ChecklistTemplate.objects.create(
                code=meta["code"],
                name=meta["name"],
                topic=meta["topic"],
                industries=meta["industries"],
                description=meta["description"],
                version=1,
                status="active",
            )
            _write_items(template, _item_lines(lines))
            created += 1
    return created
