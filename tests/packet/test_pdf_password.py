"""The packet's AES-256 password: SASLprep (RFC 4013) and the 127-byte limit, checked by opening the packet
with two independent readers: pikepdf (qpdf's library) and pypdf (which applies SASLprep itself)."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader
from PySide6.QtGui import QGuiApplication

from ecfmg_desk.errors import PdfPasswordError
from ecfmg_desk.packet._saslprep import prepare_password, saslprep
from ecfmg_desk.packet.assemble import Section, assemble_packet
from tests import samples
from tests.packet.conftest import AS_OF, PROFILE, READY, Store


def _packet(tmp_path: Path, password: str) -> Path:
    store = Store()
    doc = store.document("d", "other", [samples.make_text_pdf(tmp_path / "a.pdf")])
    out = tmp_path / "p.pdf"
    assemble_packet(
        out, sections=[Section("other", "Other", (doc,))], profile=PROFILE, validation=READY,
        read_file=store.read, as_of=AS_OF, app_version="1", catalog_cycle="2026", password=password,
    )
    return out


def _pikepdf_opens(path: Path, password: str | bytes) -> bool:
    try:
        with pikepdf.open(path, password=password) as pdf:
            return len(pdf.pages) == 3
    except pikepdf.PasswordError:
        return False


@pytest.mark.parametrize(
    ("typed", "prepared"),
    [
        ("correct horse", "correct horse"),  # an ordinary password is itself
        ("pass\u00a0word", "pass word"),  # a no-break space is a space
        ("\u2168-gate", "IX-gate"),  # NFKC: the Roman numeral nine is "IX"
        ("so\u00adft", "soft"),  # a soft hyphen is mapped to nothing
        ("كلمة السر", "كلمة السر"),  # right-to-left only, as typed
        ("contraseña", "contraseña"),
    ],
    ids=["ascii", "nbsp", "nfkc", "soft-hyphen", "arabic", "accent"],
)
def test_the_password_is_prepared_and_both_readers_open_the_packet(
    gui_app: QGuiApplication, tmp_path: Path, typed: str, prepared: str
) -> None:
    assert saslprep(typed) == prepared
    out = _packet(tmp_path, typed)
    assert _pikepdf_opens(out, prepared.encode("utf-8"))  # qpdf hashes the prepared bytes it is given
    assert not _pikepdf_opens(out, b"wrong")
    reader = PdfReader(out)
    assert reader.decrypt(typed) != 0  # pypdf prepares what is typed, as the spec says
    assert len(reader.pages) == 3


def test_a_127_byte_password_works_and_128_bytes_is_refused(gui_app: QGuiApplication, tmp_path: Path) -> None:
    longest = "a" * 126 + "b"
    out = _packet(tmp_path, longest)
    assert _pikepdf_opens(out, longest)
    assert not _pikepdf_opens(out, longest[:-1])  # every byte counts: nothing was cut
    with pytest.raises(PdfPasswordError, match="too long: PDF allows 127 bytes and this one takes 128"):
        prepare_password(longest + "c")


def test_a_long_password_is_refused_before_anything_is_written(gui_app: QGuiApplication, tmp_path: Path) -> None:
    with pytest.raises(PdfPasswordError, match="this one takes 128"):
        _packet(tmp_path, "é" * 64)  # 64 letters, 2 bytes each
    assert not (tmp_path / "p.pdf").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("bell\x07", "control character"),
        ("abc محمد", "mixes right-to-left letters"),
        ("1محمد", "must begin and end with a letter"),
        ("\u00ad", "empty"),
        ("private\ue000", "private-use"),
    ],
    ids=["control", "mixed-direction", "rtl-digit-first", "empty", "private-use"],
)
def test_passwords_readers_could_not_reproduce_are_refused(password: str, words: str) -> None:
    with pytest.raises(PdfPasswordError, match=words):
        prepare_password(password)
