"""Validation of an open vault: the one place both front ends get findings from."""

from __future__ import annotations

from datetime import date

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.core.model import ValidationResult
from ecfmg_desk.core.rules import validate
from ecfmg_desk.vault.store import Vault


def validate_vault(vault: Vault, catalog: Catalog, as_of: date) -> ValidationResult:
    """Findings of the vault's packet, with the applicant's answers to confirmations, the dates they entered
    for the plan (an unannounced cycle date, a scheduled exam) and their rotations and letters."""
    documents = vault.documents()
    return validate(
        catalog,
        vault.profile(),
        documents,
        as_of,
        unreadable=vault.unreadable_documents(documents),
        answers=vault.confirmations(),
        entered=vault.plan_dates(),
        rotations=vault.clinical.rotations(),
        letters=vault.clinical.letters(),
    )
