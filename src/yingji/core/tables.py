"""Declarative list tables: an entity lists its columns; one template renders every list."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Column:
    name: str  # attribute path on the row ("division.name") and, when sortable, the sort key
    label: str | Promise
    sortable: bool = True
    link: bool = False  # link the cell to the row's detail page
    sort_key: str | None = None  # the ordering field when it differs from `name`

    @property
    def order_by(self) -> str:
        return self.sort_key or self.name.split(".")[0]


def cell(row, column: Column):
    """The display value: `get_<field>_display()` for fields with choices, else the attribute."""
    *path, attr = column.name.split(".")
    owner = row
    for part in path:
        owner = getattr(owner, part, None)
        if owner is None:
            return ""
    display = getattr(owner, f"get_{attr}_display", None)
    if display is not None:
        return display()
    value = getattr(owner, attr, "")
    return "" if value is None else value
