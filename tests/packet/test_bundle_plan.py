"""The bundle manifest (format 2) carries the Match cycle and the plan's next three deadlines for the advisor."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ecfmg_desk.core.plan import Plan, PlanItem
from ecfmg_desk.errors import TamperedBundleError
from ecfmg_desk.packet.bundle import verify_bundle, write_bundle
from tests import samples
from tests.packet.conftest import AS_OF, PROFILE, Store
from tests.packet.test_bundle import VALIDATION, _rewrite


def _deadline(key: str, when: date, *, status: str = "upcoming") -> PlanItem:
    return PlanItem(key=key, date=when, kind="deadline", title=f"Deadline {key}", status=status,  # type: ignore[arg-type]
                    confidence="T", source="a guide", ref={"requirement": "pathway-evidence"}, user_entered=key == "b")


SCHEDULE = Plan(cycle=2027, as_of=AS_OF, items=(
    _deadline("past", date(2026, 1, 1), status="overdue"),
    _deadline("a", date(2026, 12, 1)),
    _deadline("b", date(2027, 1, 15)),
    _deadline("c", date(2027, 3, 3)),
    _deadline("d", date(2027, 5, 31)),
))


def _bundle(tmp_path: Path, schedule: Plan | None) -> Path:
    store = Store()
    doc = store.document("d-pp", "passport", [samples.make_scan_pdf(tmp_path / "src" / "passport.pdf", dpi=50)])
    out = tmp_path / "maria.ecfmgpkt"
    write_bundle(out, vault_id="vault-1234", profile=PROFILE, documents=(doc,), translation_statuses={},
                 validation=VALIDATION, read_file=store.read,
                 packet_pdf=samples.make_text_pdf(tmp_path / "src" / "packet.pdf", pages=1, text="Packet"),
                 app_version="9.8.7", catalog_cycle="2027", created=AS_OF, schedule=schedule)
    return out


def test_the_manifest_carries_the_cycle_and_the_next_three_deadlines(tmp_path: Path) -> None:
    manifest = verify_bundle(_bundle(tmp_path, SCHEDULE))
    assert manifest.cycle == 2027
    assert [d.key for d in manifest.deadlines] == ["a", "b", "c"]
    assert manifest.deadlines[1] == SCHEDULE.items[2]  # everything as the plan said it, the user's own date too


def test_a_bundle_without_a_plan_still_verifies(tmp_path: Path) -> None:
    manifest = verify_bundle(_bundle(tmp_path, None))
    assert (manifest.cycle, manifest.deadlines) == (None, ())


@pytest.mark.parametrize(
    "change",
    [
        lambda body: body["deadlines"].append(dict(body["deadlines"][0])),  # a fourth deadline
        lambda body: body["deadlines"][0].update(status="approved"),
        lambda body: body["deadlines"][0].update(ref={"path": "../../etc/passwd"}),
        lambda body: body["deadlines"][0].update(extra="x"),
        lambda body: body["deadlines"][0].update(date="3 Mar 2027"),
        lambda body: body.update(cycle="2027"),
        lambda body: body.pop("deadlines"),
    ],
)
def test_a_resealed_manifest_with_bad_deadlines_is_refused(tmp_path: Path, change: Any) -> None:
    good = _bundle(tmp_path, SCHEDULE)
    bad = _rewrite(good, tmp_path / "bad.ecfmgpkt", manifest=change, reseal=True)
    with pytest.raises(TamperedBundleError):
        verify_bundle(bad)
