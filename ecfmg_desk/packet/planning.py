"""The plan of an open vault: the one operation the CLI, the window, the packet cover and the bundle share.

It chooses the cycle catalog from the profile, gathers the documents, rotations, letters and the applicant's
own dates, and hands them to :func:`ecfmg_desk.core.plan.build_plan`; it also stores entered dates (checked
first, all or nothing) and writes the calendar file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.core.clinical import Letter, Rotation
from ecfmg_desk.core.exams import earliest_next_attempts
from ecfmg_desk.core.model import Document, Profile
from ecfmg_desk.core.plan import Plan, build_plan, check_entry
from ecfmg_desk.resources import catalog_for
from ecfmg_desk.vault.store import Vault


@dataclass(frozen=True)
class VaultPlan:
    plan: Plan
    catalog: Catalog


def plan_catalog(vault: Vault, as_of: date) -> Catalog:
    """The cycle catalog the profile's Match year chooses (unset: the Match still ahead on ``as_of``)."""
    return catalog_for(vault.profile().match_year, as_of)


def clinical_of(vault: Vault) -> tuple[list[Rotation], list[Letter]]:
    """The rotations (with their tasks) and letters the plan follows."""
    records = vault.clinical
    return records.rotations(), records.letters()


def plan_from(
    catalog: Catalog,
    profile: Profile,
    documents: Sequence[Document],
    *,
    rotations: Sequence[Rotation] = (),
    letters: Sequence[Letter] = (),
    entered: Mapping[str, date],
    as_of: date,
) -> Plan:
    """The plan from data already in memory (the window's view); :func:`vault_plan` reads it from a vault."""
    return build_plan(catalog, profile, documents, rotations=rotations, letters=letters, entered=entered,
                      as_of=as_of, next_attempt=partial(earliest_next_attempts, catalog))


def vault_plan(
    vault: Vault, as_of: date, *, catalog: Catalog | None = None, entered: Mapping[str, date | None] | None = None
) -> VaultPlan:
    """The plan of ``vault`` on ``as_of``. ``entered``: dates to use on top of the stored ones (``None``
    forgets one), so a caller can show the result of ``--set`` before (or without) storing it."""
    catalog = catalog or plan_catalog(vault, as_of)
    dates: dict[str, date] = dict(vault.plan_dates())
    for key, value in (entered or {}).items():
        if value is None:
            dates.pop(key, None)
        else:
            dates[key] = value
    rotations, letters = clinical_of(vault)
    plan = plan_from(catalog, vault.profile(), vault.documents(), rotations=rotations, letters=letters,
                     entered=dates, as_of=as_of)
    return VaultPlan(plan, catalog)


def check_entries(catalog: Catalog, changes: Mapping[str, date | None]) -> None:
    """Every key is checked before anything is stored: one bad key stores none."""
    for key in changes:
        check_entry(catalog, key)


def enter_dates(vault: Vault, catalog: Catalog, changes: Mapping[str, date | None]) -> None:
    """Store the applicant's own dates (``None`` clears one), all or nothing."""
    check_entries(catalog, changes)
    if changes:
        vault.set_plan_dates(changes)


def export_calendar(vault: Vault, plan: Plan, out: Path) -> int:
    """Write the plan as an .ics file (the window's "Export to calendar…" and ``plan --ics``).

    icalendar is imported here, not with this module: the packet's export needs the plan, not its calendar
    (icalendar's import was a quarter of an export's imports)."""
    from ecfmg_desk.packet.calendar import write_calendar

    return write_calendar(plan, vault.id, out)
