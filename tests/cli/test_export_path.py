"""The export path (issue 14, items 1 and 3): ``ecfmg-desk export`` copies the pages an image became at import, a
read-only vault from before those pages were stored still exports and writes nothing to it (DESIGN.md section 9),
and an export process loads no widgets and no image converter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


_EXPORT_AND_LIST_MODULES = """
import json, sys
from ecfmg_desk.cli import run
code = run(sys.argv[1:], sys.stdout, sys.stderr)
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_an_export_process_loads_no_widgets_and_converts_no_image(demo_vault: Path, tmp_path: Path) -> None:
    """A fresh interpreter (nothing imported before): the command line's export draws its cover and stamps with
    QtGui alone, and copies the images' stored pages, so neither QtWidgets nor img2pdf (nor PDFium) is loaded."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECFMG_DESK_")}
    env.update(ENV, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", _EXPORT_AND_LIST_MODULES, "--vault", str(demo_vault), "export",
                           "--out", str(tmp_path / "p.pdf"), "--as-of", AS_OF],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 0, done.stderr
    loaded = set(result["modules"])
    assert "PySide6.QtGui" in loaded  # the cover, the contents and the stamps are drawn
    assert not {"PySide6.QtWidgets", "img2pdf", "pikepdf", "pypdfium2", "icalendar"} & loaded
