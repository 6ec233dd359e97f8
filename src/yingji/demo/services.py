"""Loading the demo jurisdiction (`seed_demo`) and bulk benchmark data (`seed_scale`) into the database.

`seed_demo` is idempotent: divisions are matched by code, enterprises by USCC and users by username;
whatever exists is left exactly as it is. It creates accounts with a published password, so it runs
only in demo mode (YINGJI_DEMO=1).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from yingji.accounts.models import User
from yingji.accounts.services import create_user
from yingji.core import audit
from yingji.core.models import Division
from yingji.core.services import refresh_statistics
from yingji.demo import generator
from yingji.demo.generator import DEMO_PASSWORD, DivisionSpec
from yingji.registry.models import Enterprise

DEMO_MODE_MESSAGE = (
    "The demo creates accounts with a published password ({password}), so it only runs in demo mode. "
    "Set YINGJI_DEMO=1 (for example `YINGJI_DEMO=1 yingji seed demo`) or run `make demo`."
)


def ensure_divisions(specs: list[DivisionSpec]) -> int:
    """Create the divisions whose codes do not exist yet (parents come first); return how many."""
    existing = set(
        Division.objects.filter(
            code__in=[s.code for s in specs if s.level in ("province", "city", "county")]
        ).values_list("code", flat=True)
    )
    for prefix in {s.code[:6] for s in specs if s.level in ("town", "village")}:
        existing |= set(Division.objects.filter(code__startswith=prefix).values_list("code", flat=True))
    new = [
        Division(
            code=s.code,
            name=s.name,
            level=s.level,
            parent_id=s.parent_code,
            longitude=s.longitude,
            latitude=s.latitude,
            outline=s.outline,
        )
        for s in specs
        if s.code not in existing
    ]
    Division.objects.bulk_create(new, batch_size=2000)
    return len(new)


def _ensure_users(specs: list[generator.UserSpec]) -> tuple[int, list[dict]]:
    created = 0
    accounts = []
    for spec in specs:
        user = User.objects.select_related("division").filter(username=spec.username).first()
        if user is None:
            enterprise = Enterprise.objects.get(uscc=spec.enterprise_uscc) if spec.enterprise_uscc else None
            user = create_user(
                username=spec.username,
                role=spec.role,
                division=Division.objects.get(code=spec.division_code),
                enterprise=enterprise,
                password=DEMO_PASSWORD,
                full_name=spec.full_name,
                phone=spec.phone,
            )
            created += 1
        accounts.append(
            {
                "username": user.username,
                "role": user.role,
                "full_name": user.full_name,
                "division": user.division.full_name if user.division else "",
                "enterprise": str(user.enterprise) if user.enterprise_id else "",
                "password": DEMO_PASSWORD,
            }
        )
    return created, accounts


def seed_activity(now: datetime.datetime | None = None) -> dict[str, int]:
    """The county's daily work on top of its registry: risk points, hidden dangers in every state,
    self-check plans and tasks, public reports. Each part is fixed by its own seed and skips itself
    when its records exist, so a rerun changes nothing."""
    from yingji.demo.custodians import seed_custodians
    from yingji.demo.disaster_reports import seed_disaster_reports
    from yingji.demo.enforcement import seed_enforcement
    from yingji.demo.hazards import seed_hazards
    from yingji.demo.incidents import seed_incidents
    from yingji.demo.inspection_plans import seed_inspection_plans
    from yingji.demo.inspections import seed_inspections
    from yingji.demo.monitoring import seed_monitoring
    from yingji.demo.plans import seed_plans
    from yingji.demo.reports import seed_public_reports
    from yingji.demo.resources import seed_resources
    from yingji.demo.risk import seed_risk
    from yingji.demo.rosters import seed_rosters
    from yingji.demo.selfcheck import seed_self_checks
    from yingji.demo.sources import seed_sources
    from yingji.demo.supervision import seed_supervision
    from yingji.demo.warnings import seed_warnings

    now = now or timezone.now()
    parts = {
        "Risk points": lambda: seed_risk(random.Random(3)),
        "Hidden dangers": lambda: seed_hazards(random.Random(5), now),
        "Self-check plans": lambda: seed_self_checks(random.Random(7), timezone.localdate(now)),
        "Public reports": lambda: seed_public_reports(random.Random(11), now),
        "Major hazard sources": lambda: seed_sources(),
        "Custodian duties": lambda: seed_custodians(random.Random(13), now),
        "Monitoring devices": lambda: seed_monitoring(now),
        "Evacuation rosters": lambda: seed_rosters(random.Random(17)),
        "Warnings and call lists": lambda: seed_warnings(random.Random(19), now),
        "Checklists and inspections": lambda: seed_inspections(random.Random(23), now),
        "Enforcement": lambda: seed_enforcement(random.Random(29), now),
        "Enforcement plans and random draws": lambda: seed_inspection_plans(random.Random(31), now),
        "Online supervision": lambda: seed_supervision(random.Random(37), now),
        "Emergency resources": lambda: seed_resources(random.Random(41), now),
        "Emergency plans and drills": lambda: seed_plans(random.Random(43), now),
        "Incidents and responses": lambda: seed_incidents(random.Random(47), now),
        "Disaster reports": lambda: seed_disaster_reports(random.Random(53), now),
    }
    created = {}
    for name, seed in parts.items():
        with transaction.atomic():
            created[name] = seed()
    return created


def seed_demo(stdout=None) -> dict:
    """Load the demo county, its enterprises and one account per role; rerunning changes nothing."""
    if not settings.DEMO_MODE:
        raise CommandError(DEMO_MODE_MESSAGE.format(password=DEMO_PASSWORD))

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text)

    county = generator.build_demo_county()
    with transaction.atomic():
        divisions_created = ensure_divisions(county.divisions)
        say(
            f"Divisions: {divisions_created} created, "
            f"{len(county.divisions) - divisions_created} already there."
        )
        wanted = [row["uscc"] for row in county.enterprises]
        existing = set(Enterprise.objects.filter(uscc__in=wanted).values_list("uscc", flat=True))
        new = [Enterprise(**row) for row in county.enterprises if row["uscc"] not in existing]
        Enterprise.objects.bulk_create(new, batch_size=1000)
        if new:
            audit.record(
                "import", object_type="registry.enterprise", note=f"demo seed: {len(new)} enterprises"
            )
        say(f"Enterprises: {len(new)} created, {len(existing)} already there.")
        users_created, accounts = _ensure_users(county.users)
        say(f"Users: {users_created} created, {len(accounts) - users_created} already there.")
    activity = seed_activity()
    for name, count in activity.items():
        say(f"{name}: {count} created.")
    return {
        **activity,
        "divisions_created": divisions_created,
        "enterprises_created": len(new),
        "users_created": users_created,
        "divisions": len(county.divisions),
        "enterprises": len(county.enterprises),
        "accounts": accounts,
    }


def _next_scale_number(area6: str) -> int:
    prefix = "91" + area6 + generator.SCALE_BODY_PREFIX
    last = (
        Enterprise.objects.filter(uscc__startswith=prefix)
        .order_by("-uscc")
        .values_list("uscc", flat=True)
        .first()
    )
    return generator.from_base31(last[len(prefix) : 17]) + 1 if last else 1


# Values of these field types are plain Python values both SQLite and PostgreSQL take as they are.
_PLAIN_FIELDS = (models.CharField, models.BooleanField, models.FloatField, models.IntegerField)


def _is_plain(field) -> bool:
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    return isinstance(target, _PLAIN_FIELDS)


def _row_inserter(model) -> Callable[[list[dict]], None]:
    """A fast bulk insert for benchmark data: one prepared INSERT run with executemany per batch.

    bulk_create spends most of its time in per-value ORM preparation (~3x slower on SQLite). Rows are
    dicts of attnames; missing fields take their defaults, auto_now(_add) fields take "now".
    Like bulk_create, no signals are sent.
    """
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    now = f_now = timezone.now()
    # (attname, field, whether the value needs the field's preparation); attname None = "now".
    columns = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            f_now = f.get_db_prep_save(now, connection)
            columns.append((None, f, False))
        else:
            columns.append((f.attname, f, not _is_plain(f)))

    def cell(row, attname, field, prepare):
        if attname is None:
            return f_now
        value = row[attname] if attname in row else field.get_default()
        return field.get_db_prep_save(value, connection) if prepare else value

    def insert(rows: list[dict]) -> None:
        if not rows:
            return
        if all(not prepare and (attname is None or attname in rows[0]) for attname, _, prepare in columns):
            names = [attname for attname, _, _ in columns]  # the common case: plain values, all given
            params = [[row[a] if a else f_now for a in names] for row in rows]
        else:
            params = [[cell(row, *column) for column in columns] for row in rows]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, params)

    return insert


def seed_scale(
    n_enterprises: int,
    *,
    prefix_county: str | None = None,
    towns: int | None = None,
    villages: int | None = None,
    batch: int = 5000,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Add `n_enterprises` generated enterprises for benchmarks; return how many were created.

    Without `towns`/`villages` they are spread over the demo county's villages (its divisions are
    created if missing; no accounts). With them, a synthetic county (default 329902 示范新区) with
    `towns` towns of `villages` villages each is built first. USCCs are numbered after the highest
    scale USCC already in the county, so reruns add more rather than collide.
    """
    if n_enterprises < 0:
        raise CommandError("The number of enterprises cannot be negative.")
    if batch < 1:
        raise CommandError("The batch size must be at least 1.")
    synthetic = towns is not None or villages is not None
    county_code = prefix_county or (generator.SCALE_COUNTY[0] if synthetic else generator.COUNTY[0])
    county_code = county_code.strip().ljust(12, "0")
    if not (
        county_code.isdigit()
        and len(county_code) == 12
        and county_code[6:] == "000000"
        and county_code[4:6] != "00"
    ):
        raise CommandError(f"{prefix_county!r} is not a county code (6 digits, e.g. 329902).")
    area6 = county_code[:6]

    with transaction.atomic():
        if synthetic:
            try:
                specs = generator.build_scale_divisions(towns or 10, villages or 20, county_code=county_code)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            ensure_divisions(specs)
        elif county_code == generator.COUNTY[0]:
            ensure_divisions(generator.build_divisions())
    county = Division.objects.filter(code=county_code).first()
    if county is None:
        raise CommandError(f"County {county_code} does not exist; pass --towns/--villages to build one.")
    town_names = dict(
        Division.objects.filter(code__startswith=area6, level="town").values_list("code", "name")
    )
    village_rows = [
        (code, town_names.get(code[:9] + "000", ""), name, lng, lat)
        for code, name, lng, lat in Division.objects.filter(code__startswith=area6, level="village")
        .order_by("code")
        .values_list("code", "name", "longitude", "latitude")
    ]
    if not village_rows:
        raise CommandError(f"County {county_code} has no villages to place enterprises in.")
    box = generator.SCALE_COUNTY_BOX if area6 == generator.SCALE_COUNTY[0][:6] else generator.COUNTY_BOX
    first = _next_scale_number(area6)
    rng = random.Random(generator.SEED + first if seed is None else seed)
    rows = generator.scale_enterprises(rng, village_rows, area6, first, n_enterprises, county.name, box)

    insert = _row_inserter(Enterprise)
    done = 0
    while done < n_enterprises:
        size = min(batch, n_enterprises - done)
        insert([next(rows) for _ in range(size)])
        done += size
        if progress is not None:
            progress(done, n_enterprises)
    if done:
        audit.record(
            "import",
            object_type="registry.enterprise",
            note=f"scale seed: {done} enterprises in {county_code}",
        )
        refresh_statistics(Enterprise)
    return done
