"""Signatures in the window: the student sees who signed a review (name with fingerprint), is asked loudly
before a known advisor's new key is accepted, and is told when a review is unsigned; the advisor sees whether
the bundle is signed, learns whether a saved review is signed, and carries their key to a new laptop from the
File menu."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.packet.bundle import open_bundle, verify_bundle
from ecfmg_desk.packet.review import make_review, write_review
from ecfmg_desk.ui.bundle_session import BundleSession
from ecfmg_desk.ui.modes import ReviewMode
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.advisor_key import load_advisor_key
from ecfmg_desk.vault.signatures import Signer, raw_public_key
from ecfmg_desk.vault.store import Vault
from tests.conftest import MemoryKeyring
from tests.ui.conftest import AS_OF, Prompts, export_bundle, show_window

ADVISOR = "Dr. Ana Advisor"


@pytest.fixture
def bundle(ready_vault: dict[str, str], vault: Vault, catalog: Catalog, tmp_path: Path) -> Path:
    return export_bundle(vault, catalog, tmp_path / "mail")


def _signed(bundle: Path, path: Path, doc: str, decision: str, key: Ed25519PrivateKey | None,
            reviewer: str = ADVISOR) -> Path:
    write_review(path, make_review(verify_bundle(bundle), {doc: decision}, {}, reviewer, AS_OF), key)
    return path


def _load(window: MainWindow, asked: Prompts, path: Path) -> None:
    asked.open_paths.append(path)
    window.load_review_action.trigger()


def test_the_student_sees_who_signed_and_is_asked_before_a_new_key(
    qtbot: QtBot, bundle: Path, window: MainWindow, ready_vault: dict[str, str], vault: Vault, asked: Prompts,
    tmp_path: Path
) -> None:
    passport, diploma = ready_vault["passport"], ready_vault["medical-diploma"]
    first_key, other_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    first = Signer(raw_public_key(first_key)).fingerprint
    _load(window, asked, _signed(bundle, tmp_path / "1.json", passport, "approved", first_key))
    title, message = asked.infos[-1]
    assert title == "Review loaded" and message.startswith(
        f"Signed by {ADVISOR} with a key this vault sees for the first time: {first}.")

    # a review in the same name with another key: a warning question, No by default, nothing changed on No
    before = vault.documents()
    second = _signed(bundle, tmp_path / "2.json", diploma, "changes", other_key)
    asked.answers.append(False)
    _load(window, asked, second)
    question = asked.questions[-1]
    assert question.startswith(f"Warning: this review says it is from {ADVISOR}, but it is signed with a key")
    assert first in question and question.endswith("Load it anyway?")
    assert len(asked.infos) == 1 and vault.documents() == before
    asked.answers.append(True)
    _load(window, asked, second)
    title, message = asked.infos[-1]
    new = Signer(raw_public_key(other_key)).fingerprint
    assert message.startswith(f"Signed by {ADVISOR} with a NEW key {new} (before: {first}), which you accepted.")
    assert next(d for d in vault.documents() if d.id == diploma).review.decision == "changes"  # type: ignore[union-attr]


def test_an_unsigned_review_loads_marked_unsigned(qtbot: QtBot, bundle: Path, window: MainWindow,
                                                  ready_vault: dict[str, str], asked: Prompts,
                                                  tmp_path: Path) -> None:
    _load(window, asked, _signed(bundle, tmp_path / "r.json", ready_vault["passport"], "approved", None))
    _title, message = asked.infos[-1]
    assert message.startswith(f"This review is NOT signed: it says it is from {ADVISOR}, but anyone could")


@pytest.fixture
def review_window(qtbot: QtBot, bundle: Path, catalog: Catalog, asked: Prompts) -> Iterator[MainWindow]:
    session = BundleSession(open_bundle(bundle), bundle, catalog, today=AS_OF, reviewer=ADVISOR)
    main = show_window(qtbot, session)
    yield main
    main.close()
    session.close()


def test_the_advisor_sees_the_bundle_signature_and_whether_the_review_is_signed(
    qtbot: QtBot, bundle: Path, review_window: MainWindow, ready_vault: dict[str, str], asked: Prompts,
    tmp_path: Path
) -> None:
    manifest = verify_bundle(bundle)
    assert manifest.signer is not None
    banner = review_window.banner
    assert banner is not None
    assert banner.detail_label.text().endswith(f"signed by the student's vault, key {manifest.signer.fingerprint}")
    session = review_window.session
    assert isinstance(session, BundleSession)
    session.draft.decide(ready_vault["passport"], "approved")
    asked.save_paths.append(tmp_path / "review.json")
    assert review_window.save_review()
    key = load_advisor_key(passphrase=None, create=False).signer.fingerprint  # made on first use
    assert review_window.notice_label.text().endswith(f"Signed with your key {key}.")


def test_the_advisor_exports_and_imports_their_key_from_the_file_menu(
    qtbot: QtBot, review_window: MainWindow, asked: Prompts, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    key = load_advisor_key(passphrase=None).signer  # the key this laptop made on first use
    mode = review_window.mode
    assert isinstance(mode, ReviewMode)
    file_menu = review_window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu)
    menu_texts = [a.text() for a in file_menu.actions()]
    assert "E&xport my signing key…" in menu_texts and "&Import my signing key…" in menu_texts
    exported = tmp_path / "key.json"
    asked.save_paths.append(exported)
    asked.new_passphrases.append("a long key passphrase")
    mode.export_key_action.trigger()
    title, message = asked.infos[-1]
    assert title == "Signing key exported" and key.fingerprint in message and exported.is_file()

    memory_keyring.entries.pop(("ecfmg-desk", "advisor-signing-key"))  # the new laptop
    asked.open_paths.append(exported)
    asked.passphrases.append("not the passphrase")
    mode.import_key_action.trigger()
    assert asked.errors[-1][0] == "The key was not imported"
    asked.open_paths.append(exported)
    asked.passphrases.append("a long key passphrase")
    mode.import_key_action.trigger()
    title, message = asked.infos[-1]
    assert title == "Signing key imported" and key.fingerprint in message
    assert load_advisor_key(passphrase=None, create=False).signer == key


def test_review_mode_writes_no_scan_to_the_temp_folder(qtbot: QtBot, ready_vault: dict[str, str], vault: Vault,
                                                       catalog: Catalog, asked: Prompts, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The window reads a bundle's members from the zip into memory: with every page and thumbnail shown, the
    temp folder stays empty (before, the whole bundle was extracted there in clear)."""
    import tempfile

    bundle = export_bundle(vault, catalog, tmp_path / "mail")
    temp_root = tmp_path / "tmp"
    temp_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp_root))
    monkeypatch.setenv("TMPDIR", str(temp_root))
    session = BundleSession(open_bundle(bundle), bundle, catalog, today=AS_OF, reviewer="Dr. Ana Advisor")
    window = show_window(qtbot, session)
    try:
        page = window.requirement_page
        for requirement in ("passport", "medical-diploma", "final-transcript"):
            window.open_requirement(requirement)
            qtbot.waitUntil(lambda: not page.preview._image.isNull(), timeout=30_000)
            qtbot.waitUntil(lambda: session.is_idle, timeout=30_000)
        assert list(temp_root.iterdir()) == []
    finally:
        window.close()
        session.close()


def test_the_advisors_window_pins_the_students_bundle_key(qtbot: QtBot, bundle: Path, asked: Prompts,
                                                         tmp_path: Path) -> None:
    """First bundle: the key is remembered (the banner says so); the same bundle again: the key they know; a
    bundle re-signed with another key: a warning question, nothing opened on No, opened marked NEW on Yes."""
    from ecfmg_desk.ui.app import DeskApp
    from ecfmg_desk.ui.settings import open_settings
    from tests.samples import resign_bundle

    manifest = verify_bundle(bundle)
    assert manifest.signer is not None
    key, student = manifest.signer.fingerprint, manifest.applicant.name_of_record
    desk = DeskApp(tmp_path / "advisor-has-no-vault", settings=open_settings(), as_of=AS_OF)

    def opened(count: int) -> MainWindow:
        qtbot.waitUntil(lambda: len(desk.review_windows) >= count, timeout=30_000)
        window: MainWindow = desk.review_windows[count - 1]
        qtbot.waitUntil(lambda: window.session.is_idle, timeout=30_000)
        return window

    try:
        desk.bundle = bundle
        assert desk.start() is None
        first = opened(1)
        assert first.banner is not None
        assert first.banner.detail_label.text().endswith(
            f"signed with key {key}, their first bundle here: check it with them once")
        first.force_close = True
        first.close()
        qtbot.waitUntil(lambda: not desk.review_windows, timeout=10_000)
        desk.open_bundle(bundle)
        assert opened(1).banner.detail_label.text().endswith(  # type: ignore[union-attr]
            f"signed with the student's key {key}, the one you know")

        intruder = Ed25519PrivateKey.generate()
        other = Signer(raw_public_key(intruder)).fingerprint
        resealed = resign_bundle(bundle, tmp_path / "resealed.ecfmgpkt", intruder,
                                 lambda body: body["validation"].update(findings=[]))
        asked.answers.append(False)
        desk.open_bundle(resealed)
        qtbot.waitUntil(lambda: bool(asked.questions), timeout=30_000)
        question = asked.questions[-1]
        assert question.startswith(f"Warning: this bundle says it is from {student}, but it is signed with a key "
                                   f"this computer has never seen for them (fingerprint {other}).")
        assert key in question and question.endswith("Open it anyway?")
        assert "--accept" not in question, "the window names no command-line flag"
        assert len(desk.review_windows) == 1, "nothing opened on No"
        asked.answers.append(True)
        desk.open_bundle(resealed)
        accepted = opened(2)
        assert accepted.banner is not None and accepted.banner.detail_label.text().endswith(
            f"signed with a NEW key {other} (before: {key}), which you accepted")
    finally:
        for window in list(desk.review_windows):
            window.force_close = True
            window.close()
        desk.shutdown()
