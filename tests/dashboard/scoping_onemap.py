"""The one map (一图) for the generated scoping walk (tests/test_scoping.py).

The map's URLs name no object in their path (`/map/`, `/api/v1/map/layers`, one route per layer
`/api/v1/map/layers/<layer>`, `/api/v1/map/card?layer=&id=`, `/api/v1/map/within`), so they need no
OBJECTS: the walk asks each with its hostile query strings and checks that no town-B enterprise shows.

One classification is needed: `POST /api/v1/map/within` (everything inside a polygon sent in the body)
is a read, not a change, so a read-only leader may use it. In tests/test_scoping.py, next to the
other wiring: `PERSONAL.update(ONE_MAP_READ_ONLY)` (walked for anonymous access and leaks, not for the
leader's unsafe methods), or a dict of its own used the same way.

Optional, for richer leak checks: call `map_items_of(enterprise)` for each enterprise in the world
fixture, so the hazards and alarms layers have an item per enterprise too.
"""

from __future__ import annotations

from django.utils import timezone

ONE_MAP_OBJECTS: dict = {}
ONE_MAP_API_PARAMS: dict = {}
ONE_MAP_PAGE_PARAMS: dict = {}
ONE_MAP_READ_ONLY = {
    "/api/v1/map/within": "the polygon query of the one map: a read with the polygon in the body",
}


def map_items_of(enterprise) -> None:
    """An open major hidden danger and an open alarm at the enterprise (once)."""
    from tests.monitoring.scoping import alarm_of

    from yingji.hazards.models import Hazard

    Hazard.objects.get_or_create(
        enterprise=enterprise,
        title=f"走查重大隐患{enterprise.pk}",
        defaults={
            "division_id": enterprise.division_id,
            "source": "inspection",
            "grade": "major",
            "status": "reported",
            "reported_at": timezone.now(),
        },
    )
    alarm_of(enterprise)
