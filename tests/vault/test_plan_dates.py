"""The applicant's own plan dates: stored encrypted, bound to their key, cleared on request."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from ecfmg_desk.errors import IntegrityError
from ecfmg_desk.vault import db
from ecfmg_desk.vault.store import Vault


def test_dates_are_stored_read_back_and_cleared(vault_dir: Path) -> None:
    with Vault.open(vault_dir, create=True) as vault:
        assert vault.plan_dates() == {}
        vault.set_plan_dates({"pathways_close": date(2027, 5, 31), "exam:usmle-step2ck": date(2027, 1, 15)})
    with Vault.open(vault_dir) as vault:
        assert vault.plan_dates() == {"exam:usmle-step2ck": date(2027, 1, 15), "pathways_close": date(2027, 5, 31)}
        assert vault.set_plan_dates({"pathways_close": None}) == {"exam:usmle-step2ck": date(2027, 1, 15)}


def test_a_date_is_not_readable_at_rest(vault_dir: Path) -> None:
    with Vault.open(vault_dir, create=True) as vault:
        vault.set_plan_dates({"exam:usmle-step2ck": date(2027, 1, 15)})
    data = b"".join(p.read_bytes() for p in vault_dir.iterdir() if p.name.startswith(db.DB_NAME))
    assert b"2027-01-15" not in data


def test_a_date_moved_to_another_key_is_detected(vault_dir: Path) -> None:
    with Vault.open(vault_dir, create=True) as vault:
        vault.set_plan_dates({"pathways_close": date(2027, 5, 31), "rol_deadline": date(2027, 3, 3)})
    conn = sqlite3.connect(vault_dir / db.DB_NAME)
    with conn:
        close = conn.execute("SELECT value FROM plan_dates WHERE key = 'pathways_close'").fetchone()[0]
        conn.execute("UPDATE plan_dates SET value = ? WHERE key = 'rol_deadline'", (close,))
    conn.close()
    with Vault.open(vault_dir) as vault, pytest.raises(IntegrityError):
        vault.plan_dates()
