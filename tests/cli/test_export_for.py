"""``export --for``: the preflight is printed, files that pass are written, a file that still fails exits 1 and
is not written (one case per portal)."""

from __future__ import annotations

from pathlib import Path

from tests import samples
from tests.cli.conftest import Cli


def test_export_for_the_lor_portal_prints_the_preflight_and_exits_1_on_what_cannot_be_fixed(
    cli: Cli, tmp_path: Path
) -> None:
    a4 = samples.make_text_pdf(tmp_path / "a4-letter.pdf", page_size="a4")
    scan = samples.make_scan_pdf(tmp_path / "big-letter.pdf", pages=3, dpi=300, texture=True)
    assert cli("add", "recommendation-letter", a4, "--issued", "2026-08-01").code == 0
    assert cli("add", "recommendation-letter", scan, "--issued", "2026-08-02").code == 0
    out = tmp_path / "for-portal"
    result = cli("export", "--for", "lor-portal", "--out", out)
    assert result.code == 1, result.err
    assert "Preflight for lor-portal" in result.out
    assert "changed: page 1 placed on 8.5 × 11 in paper." in result.out
    assert "recommendation-letter-2.pdf" in result.out and "NOT WRITTEN" in result.out
    assert "still fails: It is" in result.out
    assert [p.name for p in out.iterdir()] == ["recommendation-letter-1.pdf"]
    assert f"wrote {out / 'recommendation-letter-1.pdf'}" in result.err


def test_export_for_myintealth_says_the_limits_are_unknown_and_refuses_a_grey_photo(
    cli: Cli, tmp_path: Path
) -> None:
    assert cli("add", "passport", samples.make_jpeg(tmp_path / "p.jpg"), "--expires", "2031-01-01").code == 0
    result = cli("export", "--for", "myintealth", "--out", tmp_path / "mi")
    assert result.code == 0, result.err
    assert "does not publish its upload limits" in result.out
    assert (tmp_path / "mi" / "passport.jpg").read_bytes() == (tmp_path / "p.jpg").read_bytes()

    grey = samples.make_jpeg(tmp_path / "me.jpg", size_px=(600, 800), color=False)
    assert cli("add", "photo", grey, "--issued", "2026-10-01").code == 0
    again = cli("export", "--for", "myintealth", "--out", tmp_path / "mi2")
    assert again.code == 1
    assert "- photo.jpg" in again.out and "still fails: It is in black and white" in again.out
    assert sorted(p.name for p in (tmp_path / "mi2").iterdir()) == ["passport.jpg"]


def test_export_for_eras_combines_a_document_and_exits_1_when_it_cannot(cli: Cli, tmp_path: Path) -> None:
    pages = [samples.make_text_pdf(tmp_path / f"mspe-{n}.pdf") for n in (1, 2)]
    assert cli("add", "mspe", *pages).code == 0
    result = cli("export", "--for", "eras", "--out", tmp_path / "eras")
    assert result.code == 0, result.err
    assert "changed: its 2 files were combined into one PDF" in result.out
    assert [p.name for p in (tmp_path / "eras").iterdir()] == ["mspe.pdf"]

    broken = samples.make_deeply_nested_pdf(tmp_path / "transcript-2.pdf")
    assert cli("add", "final-transcript", samples.make_text_pdf(tmp_path / "transcript-1.pdf"), broken).code == 0
    again = cli("export", "--for", "eras", "--out", tmp_path / "eras2")
    assert again.code == 1
    assert "- final-transcript.pdf" in again.out and "NOT WRITTEN" in again.out
    assert [p.name for p in (tmp_path / "eras2").iterdir()] == ["mspe.pdf"]


def test_export_for_refuses_a_password_or_a_bundle(cli: Cli, tmp_path: Path) -> None:
    result = cli("export", "--for", "lor-portal", "--out", tmp_path / "out", "--bundle", tmp_path / "b.ecfmgpkt")
    assert result.code == 2 and result.err.startswith("error: ") and "--bundle" in result.err
    assert not (tmp_path / "out").exists()
