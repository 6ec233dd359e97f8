"""Response rules: the dispatch order's transitions and what they do to the team's status."""

from __future__ import annotations

# dispatch status -> statuses it may move to
DISPATCH_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "dispatched": ("en_route", "returned"),
    "en_route": ("on_scene", "returned"),
    "on_scene": ("returned",),
    "returned": (),
}
# the team's status (resources.TeamStatus values) while its dispatch order is in this status
TEAM_STATUS_FOR_DISPATCH = {
    "dispatched": "dispatched",
    "en_route": "dispatched",
    "on_scene": "on_scene",
    "returned": "ready",
}
OPEN_DISPATCH = ("dispatched", "en_route", "on_scene")
TEAM_AVAILABLE = ("ready",)


def dispatch_refusal(current: str, target: str) -> str | None:
    """None when the move is allowed, else a stable reason code."""
    if target not in DISPATCH_TRANSITIONS:
        return "unknown_status"
    if target not in DISPATCH_TRANSITIONS.get(current, ()):
        return "invalid_transition"
    return None


def allowed_dispatch_moves(current: str) -> tuple[str, ...]:
    return DISPATCH_TRANSITIONS.get(current, ())
