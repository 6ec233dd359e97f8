"""叫应 objects for the generated scoping walk (tests/test_scoping.py): a village-level call-list entry
per town of the walk's world, and the call its town's issued walk warning made to that person.

In tests/test_scoping.py: `OBJECTS.update(CALL_OBJECTS)`, `API_PARAMS.update(CALL_API_PARAMS)`,
`PAGE_MODELS.update(CALL_PAGE_MODELS)`, `FIXED_PARAMS.update(CALL_FIXED_PARAMS)`.
"""

from __future__ import annotations

from tests.alerts.scoping import alerts_of
from tests.conftest import TOWN_A, TOWN_B

from yingji.alerts import services_calls
from yingji.alerts.models import Call, CallListEntry
from yingji.core.models import Division


def entry_of(world, which: str) -> CallListEntry:
    town = TOWN_A if which == "own" else TOWN_B
    entry = CallListEntry.objects.filter(division_id=town, name="走查责任人").first()
    if entry is None:
        entry = services_calls.save_entry(
            actor=None,
            division=Division.objects.get(code=town),
            tier="town_leader",
            name="走查责任人",
            phone="13800001111",
        )
    return entry


def call_of(world, which: str) -> Call:
    entry_of(world, which)  # the person the walk's warning calls
    warning = alerts_of(world, which)["alerts.warning"]
    services_calls.start_calls(warning)
    return Call.objects.filter(warning=warning).order_by("pk").first()


def _each(make):
    return {
        which: (lambda w, which=which: make(w, which)) for which in ("other_town", "other_enterprise", "own")
    }


CALL_OBJECTS = {"alerts.calllistentry": _each(entry_of), "alerts.call": _each(call_of)}
CALL_API_PARAMS = {"call_id": "alerts.call", "entry_id": "alerts.calllistentry"}
CALL_PAGE_MODELS = {
    "alerts:call_board": "alerts.warning",
    "alerts:call_board_export": "alerts.warning",
    "alerts:call_ack": "alerts.call",
}
CALL_FIXED_PARAMS = {"fmt": "xlsx"}
