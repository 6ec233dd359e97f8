"""Demo evacuation rosters (临灾转移) for the demo county (安澜县 329901): a few hundred people across its
villages — more in rural villages (村, codes 2xx) than in communities (社区) — each with a custodian
(包保责任人: one or two per village; the demo village official is the custodian of their own village)
and a target shelter, plus one trigger (any orange-or-red warning of the county starts a round).

`seed_rosters(rng)` writes in bulk with one `import` audit record; idempotent: does nothing when the
county already has a roster.
"""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model

from yingji.alerts.models import Evacuee, RoundTrigger
from yingji.core import audit
from yingji.core.models import Division
from yingji.demo.generator import person_name

COUNTY = "329901000000"
# category -> weight (rural transfer rosters are mostly the elderly, dangerous houses and low-lying land)
CATEGORIES = {
    "elderly_alone": 30,
    "dangerous_house": 20,
    "low_lying": 20,
    "disabled": 8,
    "geohazard": 5,
    "child": 7,
    "pregnant": 3,
    "other": 7,
}
ROADS = ["东组", "西组", "南组", "北组", "河边", "圩内", "老宅基", "桥头"]
SHELTERS = ["{village}村委会", "{town}中心小学", "{town}文体中心", "{village}避灾安置点"]
MOBILE_PREFIXES = ["133", "138", "139", "151", "158", "180", "187", "189"]


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def _custodians(rng: random.Random, village: Division, user) -> list[tuple[str, str, object]]:
    custodians = [(person_name(rng), _mobile(rng), None) for _ in range(rng.choice((1, 2, 2)))]
    if user is not None and user.division_id == village.code:
        custodians[0] = (user.full_name or user.username, user.phone or _mobile(rng), user)
    return custodians


def _people_for(rng, village: Division, town_name: str, user) -> list[Evacuee]:
    rural = village.code[9] == "2"
    count = rng.randint(2, 6) if rural else rng.randint(0, 2)
    if user is not None and user.division_id == village.code:
        count = max(count, 4)  # the demo village official has people to mark
    custodians = _custodians(rng, village, user)
    people = []
    for _ in range(count):
        custodian_name, custodian_phone, custodian_user = rng.choice(custodians)
        category = rng.choices(list(CATEGORIES), weights=list(CATEGORIES.values()))[0]
        people.append(
            Evacuee(
                division=village,
                name=person_name(rng, male_share=0.45),
                address=f"{village.name}{rng.choice(ROADS)}{rng.randint(1, 60)}号",
                category=category,
                phone=_mobile(rng) if rng.random() < 0.8 else "",
                custodian_name=custodian_name,
                custodian_phone=custodian_phone,
                custodian_user=custodian_user,
                shelter=rng.choice(SHELTERS).format(village=village.name.removesuffix("村"), town=town_name),
            )
        )
    return people


def seed_rosters(rng: random.Random) -> int:
    """Create the demo county's rosters and trigger; return how many people were added."""
    if Evacuee.objects.filter(division__code__startswith=COUNTY[:6]).exists():
        return 0
    villages = list(
        Division.objects.filter(code__startswith=COUNTY[:6], level="village").select_related("parent")
    )
    if not villages:
        return 0
    user = get_user_model().objects.filter(username="demo_village").first()
    people: list[Evacuee] = []
    for village in villages:
        town_name = village.parent.name if village.parent else ""
        people += _people_for(rng, village, town_name, user)
    Evacuee.objects.bulk_create(people, batch_size=1000)
    if not RoundTrigger.objects.filter(division_id=COUNTY).exists():
        RoundTrigger.objects.create(division_id=COUNTY, event_type="", min_level="orange")
    audit.record("import", object_type="alerts.evacuee", note=f"demo seed: {len(people)} evacuees")
    return len(people)
