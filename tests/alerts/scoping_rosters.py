"""Evacuation-roster objects for the generated scoping walk (tests/test_scoping.py): per town of the
world, a person on village A's/B's roster, a trigger, and a transfer round (of the town's walk warning)
with that person's status, made on first use.

In tests/test_scoping.py: `OBJECTS.update(ROSTERS_OBJECTS)`, `API_PARAMS.update(ROSTERS_API_PARAMS)`,
`PAGE_PARAMS.update(ROSTERS_PAGE_PARAMS)`.
"""

from __future__ import annotations

from tests.alerts.scoping import alerts_of
from tests.conftest import TOWN_A, TOWN_B, VILLAGE_A, VILLAGE_B

from yingji.alerts import services_rosters
from yingji.alerts.models import Evacuee, RoundTrigger, TransferRound, TransferStatus
from yingji.core.models import Division


def rosters_of(world, which: str) -> dict:
    cache = world.__dict__.setdefault("_roster_objects", {})
    town, village = (TOWN_A, VILLAGE_A) if which == "own" else (TOWN_B, VILLAGE_B)
    if town not in cache:
        evacuee = Evacuee.objects.create(
            division=Division.objects.get(code=village),
            name="走查人员",
            phone="13812345678",
            custodian_name="走查包保人",
            custodian_phone="13900001111",
        )
        warning = alerts_of(world, which)["alerts.warning"]
        round_ = TransferRound.objects.filter(warning=warning, status="open").first()
        if round_ is None:
            round_ = services_rosters.start_round_by_hand(warning, actor=None)
        trigger = RoundTrigger.objects.create(division=Division.objects.get(code=town), min_level="red")
        cache[town] = {
            "alerts.evacuee": evacuee,
            "alerts.roundtrigger": trigger,
            "alerts.transferround": round_,
            "alerts.transferstatus": TransferStatus.objects.get(round=round_, evacuee=evacuee),
        }
    return cache[town]


ROSTERS_OBJECTS = {
    label: {
        which: (lambda w, which=which, label=label: rosters_of(w, which)[label])
        for which in ("other_town", "other_enterprise", "own")
    }
    for label in ("alerts.evacuee", "alerts.roundtrigger", "alerts.transferround", "alerts.transferstatus")
}
ROSTERS_API_PARAMS = {
    "evacuee_id": "alerts.evacuee",
    "round_id": "alerts.transferround",
    "status_id": "alerts.transferstatus",
}
ROSTERS_PAGE_PARAMS = {"warning_pk": "alerts.warning"}
