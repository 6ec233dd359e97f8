"""Reading division lists: the shipped national data and a bureau's own xlsx/csv of villages."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterable
from pathlib import Path

from yingji.core import divisions

DATA_DIR = Path(__file__).parent / "data"
NATIONAL_FILE = DATA_DIR / "divisions.csv.gz"
VILLAGES_FILE = DATA_DIR / "villages.csv.gz"


def read_gzip_csv(path: Path) -> Iterable[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def load_national_divisions(division_model, batch_size: int = 5000) -> int:
    """Insert the national list (parents before children); existing codes are left alone."""
    existing = set(division_model.objects.values_list("code", flat=True))
    rows = [row for row in read_gzip_csv(NATIONAL_FILE) if row["code"] not in existing]
    return bulk_insert(division_model, rows, batch_size)


def bulk_insert(division_model, rows: list[dict[str, str]], batch_size: int = 5000) -> int:
    rows.sort(key=lambda row: (divisions.LEVELS.index(row["level"]), row["code"]))
    objects = [
        division_model(
            code=row["code"], name=row["name"], level=row["level"], parent_id=row["parent_code"] or None
        )
        for row in rows
    ]
    division_model.objects.bulk_create(objects, batch_size=batch_size)
    return len(objects)


def villages_of(prefix: str) -> list[dict[str, str]]:
    """The shipped villages whose code starts with `prefix` (a county or town prefix)."""
    return [row for row in read_gzip_csv(VILLAGES_FILE) if row["code"].startswith(prefix)]
