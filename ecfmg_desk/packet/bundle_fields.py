"""A bundle document's own fields (exam result, OET sub-scores, form status, ...) read as hostile input.

A bundle this app wrote carries only the fields the catalog declares for each document's requirement, each a
value of its declared type and range, as short plain text; anything else refuses the whole bundle (like every
other wrong value in its manifest) with a message naming the document and the field, never echoing a control
character. Kept apart from ``bundle`` so the manifest reader stays one screen shorter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Final

from ecfmg_desk.core.catalog import Catalog, FieldSpec, Requirement
from ecfmg_desk.core.model import FieldValue
from ecfmg_desk.errors import DeskError

MAX_FIELDS: Final = 20
MAX_FIELD_TEXT: Final = 200
"""A document's own fields are a handful of short values (a result, four scores, an id): anything beyond
these bounds is no bundle this app wrote."""
_FIELD_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")


class FieldsReader:
    """Vets the ``fields`` object of each document of one manifest against the catalog of its cycle (the
    shipped catalog of that Match year, else the default one), loaded only when a document has fields."""

    def __init__(self, cycle: object, refuse: Callable[[str], Exception]) -> None:
        self._cycle = cycle
        self._refuse = refuse
        self._catalog: Catalog | None = None

    def _requirement(self, requirement_id: object) -> Requirement | None:
        if self._catalog is None:
            from ecfmg_desk.resources import available_cycles, load_catalog, load_default_catalog

            cycle = self._cycle
            known = isinstance(cycle, int) and not isinstance(cycle, bool) and cycle in available_cycles()
            self._catalog = load_catalog(cycle) if known and isinstance(cycle, int) else load_default_catalog()
        return self._catalog.get(requirement_id) if isinstance(requirement_id, str) else None

    def __call__(self, raw: object, requirement_id: object, where: str) -> dict[str, FieldValue]:
        where = f"{where}.fields"
        if not isinstance(raw, dict) or len(raw) > MAX_FIELDS:
            raise self._refuse(f"the manifest's {where} is not an object of at most {MAX_FIELDS} fields.")
        if not raw:
            return {}
        requirement = self._requirement(requirement_id)
        out: dict[str, FieldValue] = {}
        for name, value in raw.items():
            if not isinstance(name, str) or not _FIELD_KEY.fullmatch(name):
                raise self._refuse(f"the manifest's {where} has a field with an invalid name.")
            spec = requirement.field(name) if requirement is not None else None
            if spec is None:
                raise self._refuse(f"the manifest's {where} has a field {name!r}, which a document filed under "
                                   f"{requirement_id!r} does not have.")
            if value is not None:
                out[name] = self._value(spec, value, f"{where}.{name}")
        return out

    def _value(self, spec: FieldSpec, value: object, where: str) -> FieldValue:
        bad = self._refuse(f"the manifest's {where} is not a valid {spec.label.lower()}.")
        if spec.type == "date":
            if not isinstance(value, str) or len(value) != 10:
                raise bad
            try:
                value = date.fromisoformat(value)
            except ValueError:
                raise bad from None
        elif spec.type in ("text", "enum") and (
            not isinstance(value, str) or len(value) > MAX_FIELD_TEXT or not value.isprintable()
        ):
            raise bad  # short plain text on one line: no control or format characters
        try:
            return spec.check(value)
        except DeskError:
            raise bad from None
