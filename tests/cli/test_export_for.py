"""``export --for``: the preflight is printed, files that pass are written, a file that still fails exits 1."""

from __future__ import annotations

from pathlib import Path

from tests import samples
from tests.cli.conftest import Cli


def test_export_for_the_lor_portal_prints_the_preflight_and_exits_1_on_what_cannot_be_fixed(
    cli: Cli, tmp_path: Path
) -> None:
    a4 = samples.make_text_pdf(tmp_path / "a4-letter.pdf", page_size="a4")
    scan = samples.make_scan_pdf(tmp_path / "big-letter.pdf", pages=6, dpi=200)
    assert cli("add", "recommendation-letter", a4, "--issued", "2026-08-01").code == 0
    assert cli("add", "recommendation-letter", scan, "--issued", "2026-08-02").code == 0
    out = tmp_path / "for-portal"
    result = cli("export", "--for", "lor-portal", "--out", out)
    assert result.code == 1, result.err
    assert "Preflight for lor-portal" in result.out
    assert "changed: page 1 placed on 8.5 × 11 in paper." in result.out
    assert "NOT WRITTEN" in result.out and "still fails: It is" in result.out
    assert [p.name for p in out.iterdir()] == ["recommendation-letter-1.pdf"]


def test_export_for_myintealth_says_the_limits_are_unknown(cli: Cli, tmp_path: Path) -> None:
    assert cli("add", "passport", samples.make_jpeg(tmp_path / "p.jpg"), "--expires", "2031-01-01").code == 0
    result = cli("export", "--for", "myintealth", "--out", tmp_path / "mi")
    assert result.code == 0, result.err
    assert "does not publish its upload limits" in result.out
    assert (tmp_path / "mi" / "passport.jpg").read_bytes() == (tmp_path / "p.jpg").read_bytes()
