"""``ecfmg-desk export`` copies the pages an image became at import (issue 14, item 1), and a read-only vault from
before those pages were stored still exports, writing nothing to it (DESIGN.md section 9)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from ecfmg_desk.vault.store import Vault
from tests.cli.conftest import Cli, make_demo_exportable
from tests.cli.test_vault_faults import AS_OF, ENV, PASS, as_unprivileged, files_of, make_read_only
from tests.packet.test_image_pages import _images, _raw, make_pre_migration


@pytest.fixture
def demo_vault(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo applicant (its passport and photo are JPEG files), made exportable, with a passphrase."""
    monkeypatch.setenv("ECFMG_DESK_PASSPHRASE", PASS)
    make_demo_exportable(cli, tmp_path)
    return cli.vault


def _jpeg_originals(vault_dir: Path) -> list[bytes]:
    with Vault.open(vault_dir, passphrase=PASS) as vault:
        return [vault.read_file(f) for d in vault.documents() for f in d.files if f.kind == "jpeg"]


def test_export_copies_each_jpeg_as_it_is(cli: Cli, demo_vault: Path, tmp_path: Path) -> None:
    jpegs = _jpeg_originals(demo_vault)
    assert jpegs
    assert cli("export", "--out", tmp_path / "p.pdf", "--as-of", AS_OF).code == 0
    packet = {_raw(image) for image in _images(PdfReader(tmp_path / "p.pdf"))}
    assert set(jpegs) <= packet


def test_a_read_only_vault_from_before_the_stored_pages_exports_and_writes_nothing(
    demo_vault: Path, tmp_path: Path
) -> None:
    jpegs = _jpeg_originals(demo_vault)
    make_pre_migration(demo_vault)
    make_read_only(demo_vault)
    before = files_of(demo_vault)
    out = tmp_path / "elsewhere" / "packet.pdf"
    out.parent.mkdir()
    try:
        listed = as_unprivileged("--vault", demo_vault, "list", "--json", env=ENV)
        assert listed.returncode == 0 and json.loads(listed.stdout)["documents"], listed.stderr
        exported = as_unprivileged("--vault", demo_vault, "export", "--out", out, "--as-of", AS_OF, env=ENV)
        assert exported.returncode == 0, exported.stderr
        assert set(jpegs) <= {_raw(image) for image in _images(PdfReader(out))}  # converted in memory
        assert files_of(demo_vault) == before, "nothing written: no migration, no page blob, no WAL index"
    finally:
        for item in [demo_vault, *demo_vault.rglob("*")]:
            item.chmod(0o700 if item.is_dir() else 0o600)
    with Vault.open(demo_vault, passphrase=PASS) as vault:  # writable again: the next export converts for good
        assert vault.check().ok
