"""The one shape a reading has between the ingest (parse, validate, store) and the alarm evaluation."""

from __future__ import annotations

import datetime
from typing import NamedTuple


class RawReading(NamedTuple):
    point_id: int
    ts: datetime.datetime  # timezone-aware
    value: float
