"""Who hears about what happens to a hidden danger, through messaging.services.send.

`event_happened(event_id)` runs after the transaction of each HazardEvent commits.
"""


def event_happened(event_id: int) -> None:
    """Notify the people concerned by one HazardEvent (implemented with the messaging integration)."""
    return None
