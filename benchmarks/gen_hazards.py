"""Generated hidden dangers for the benchmarks: a realistic mix, inserted in bulk (no services, no events).

    from gen_hazards import insert_hazards
    insert_hazards(1_000_000, now=now, years=3, seed=2026, progress=print)

Call after `django.setup()` against a database holding enterprises. Each hazard copies its enterprise's
division and industry (as the services do); reported times are spread over `years`; the older a hazard,
the likelier it is closed (about 5-8 % stay open overall); open ones are at every stage and many are
past their deadline; about 3 % are major, half of the open majors listed for supervision; about 10 %
of the closed ones were submitted after their deadline. Afterwards run
`yingji.hazards.statistics.rebuild_statistics()` to fill the counters the services would have kept.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

SOURCES = (("self_check", 45), ("inspection", 35), ("public_report", 5), ("monitoring", 5), ("other", 10))
TITLES = (
    "灭火器压力不足",
    "安全出口堵塞",
    "应急照明失效",
    "配电箱未上锁",
    "电线私拉乱接",
    "防护栏缺失",
    "作业人员未佩戴劳保用品",
    "安全警示标识缺失",
    "消防通道占用",
    "特种设备未定期检验",
    "气瓶未固定",
    "粉尘清扫不及时",
)
MAJOR_TITLES = ("可燃气体报警装置未投用", "紧急停车系统未投用", "安全距离不足", "有限空间作业未审批")
OPEN_STAGES = (("reported", 15), ("confirmed", 20), ("rectifying", 45), ("submitted", 15), ("verified", 5))


def _open_chance(age_days: float) -> float:
    if age_days < 30:
        return 0.6
    if age_days < 90:
        return 0.3
    if age_days < 365:
        return 0.08
    return 0.03


def hazard_rows(
    rng: random.Random, enterprises: list[tuple[int, str, str]], now: datetime.datetime, n: int, years: float
):
    """Yield `n` rows (dicts of Hazard attnames)."""
    span = years * 365 * 86400
    source_values, source_weights = zip(*SOURCES, strict=True)
    stage_values, stage_weights = zip(*OPEN_STAGES, strict=True)
    day = datetime.timedelta(days=1)
    for _ in range(n):
        enterprise_id, division_id, industry = enterprises[rng.randrange(len(enterprises))]
        reported_at = now - datetime.timedelta(seconds=rng.random() * span)
        age = (now - reported_at) / day
        major = rng.random() < 0.03
        row = {
            "enterprise_id": enterprise_id,
            "division_id": division_id,
            "industry": industry or "",
            "title": rng.choice(MAJOR_TITLES if major else TITLES),
            "description": "",
            "location": "",
            "source": rng.choices(source_values, source_weights)[0],
            "grade": "major" if major else "general",
            "treatment": "deadline",
            "status": "reported",
            "due_at": None,
            "plan_measures": "",
            "plan_responsible": "",
            "plan_funds": None,
            "plan_contingency": "",
            "rectification_note": "",
            "rejections": 0,
            "is_supervised": False,
            "reported_by_id": None,
            "rectified_by_id": None,
            "verified_by_id": None,
            "reported_at": reported_at,
            "confirmed_at": None,
            "submitted_at": None,
            "closed_at": None,
        }
        confirmed_at = reported_at + datetime.timedelta(hours=rng.uniform(2, 48))
        due_at = confirmed_at + day * (rng.randint(30, 90) if major else rng.randint(7, 45))
        late = rng.random() < 0.1
        if late:
            submitted_at = due_at + day * rng.uniform(0.5, 15)
        else:
            submitted_at = confirmed_at + (due_at - confirmed_at) * rng.uniform(0.2, 0.95)
        closed_at = submitted_at + day * rng.uniform(0.2, 5)
        stage = "closed"
        if rng.random() < _open_chance(age) or closed_at >= now:
            stage = rng.choices(stage_values, stage_weights)[0]
            if stage == "verified" and not major:
                stage = "submitted"
            # An open stage cannot have happened in the future: fall back to the last one reached.
            if stage in ("submitted", "verified") and submitted_at >= now:
                stage = "rectifying"
            if stage != "reported" and confirmed_at >= now:
                stage = "reported"
        row["status"] = stage
        if stage != "reported":
            row.update(confirmed_at=confirmed_at, due_at=due_at)
        if stage in ("submitted", "verified", "closed"):
            row.update(submitted_at=submitted_at, rectification_note="已整改")
        if stage == "closed":
            row["closed_at"] = closed_at
        if major and stage != "reported":
            row.update(
                plan_measures="专项整改",
                plan_responsible="主要负责人",
                plan_funds=100000,
                plan_contingency="应急预案",
                is_supervised=stage == "verified" or (stage != "closed" and rng.random() < 0.5),
            )
        yield row


def insert_hazards(
    n: int,
    *,
    now: datetime.datetime,
    years: float = 3,
    seed: int = 2026,
    batch: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    from yingji.demo.services import _row_inserter
    from yingji.hazards.models import Hazard
    from yingji.registry.models import Enterprise

    enterprises = list(Enterprise.objects.order_by("pk").values_list("pk", "division_id", "industry"))
    if not enterprises:
        raise SystemExit("No enterprises to attach hidden dangers to.")
    rows = hazard_rows(random.Random(seed), enterprises, now, n, years)
    insert = _row_inserter(Hazard)
    done = 0
    while done < n:
        size = min(batch, n - done)
        insert([next(rows) for _ in range(size)])
        done += size
        if progress is not None and (done % (batch * 20) == 0 or done == n):
            progress(done, n)
    return done
