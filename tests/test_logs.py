"""The log file: in the platform's log folder, rotating, never holding the applicant's data, never in the way."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest

from ecfmg_desk import APP_NAME, logs


@pytest.fixture(autouse=True)
def _clean_logging() -> Iterator[None]:
    yield
    logs.shutdown_logging()
    logs._kept_out.clear()


def test_the_log_goes_to_the_platform_log_folder(isolated_dirs: Path) -> None:
    path = logs.setup_logging(verbose=False)
    assert path == platformdirs.user_log_path(APP_NAME, appauthor=False) / "ecfmg-desk.log"
    assert path.is_relative_to(isolated_dirs), "the test's per-user folders, not the real ones"
    logging.getLogger("ecfmg_desk.vault.store").info("opened a vault with %d documents", 14)
    logging.getLogger("ecfmg_desk.vault.store").debug("not in a quiet log")
    text = path.read_text(encoding="utf-8")
    assert "opened a vault with 14 documents" in text
    assert "not in a quiet log" not in text
    assert logs.current_log_file() == path


def test_personal_data_never_reaches_the_file(isolated_dirs: Path) -> None:
    path = logs.setup_logging(verbose=False)
    assert path is not None
    logs.keep_out("Maria Jose", "Garcia Lopez", "Li")
    log = logging.getLogger("ecfmg_desk.ui.window")
    vault = Path.home() / "Documents" / "my vault"
    log.warning("could not read %s for Maria Jose Garcia Lopez", vault)
    try:
        raise ValueError(f"bad name Garcia Lopez in {vault}")
    except ValueError:
        log.exception("an error with a traceback")
    text = path.read_text(encoding="utf-8")
    assert "Maria" not in text and "Garcia" not in text
    assert str(Path.home()) not in text
    assert "~/Documents/my vault" in text, "the path stays useful, without the login name"
    assert "ValueError" in text and "Traceback" in text


def test_the_file_rotates_instead_of_growing(isolated_dirs: Path) -> None:
    path = logs.setup_logging(verbose=False)
    assert path is not None
    log = logging.getLogger("ecfmg_desk.packet.export")
    line = "x" * 1000
    for _ in range(int(logs.MAX_BYTES * (logs.BACKUPS + 2) / 1000)):
        log.info("%s", line)
    files = sorted(path.parent.glob("ecfmg-desk.log*"))
    assert len(files) == logs.BACKUPS + 1, [f.name for f in files]
    assert all(f.stat().st_size <= logs.MAX_BYTES + 2000 for f in files)


def test_an_unwritable_log_folder_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    assert logs.setup_logging(verbose=False, directory=blocker / "log") is None
    logging.getLogger("ecfmg_desk").error("still fine")
    assert logs.is_set_up() and logs.current_log_file() is None


def test_verbose_also_writes_debug_lines_to_stderr(isolated_dirs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = logs.setup_logging(verbose=True)
    logging.getLogger("ecfmg_desk.vault.db").debug("migration %d applied", 3)
    assert "migration 3 applied" in capsys.readouterr().err
    assert path is not None and "migration 3 applied" in path.read_text(encoding="utf-8")


def test_setting_up_twice_keeps_one_set_of_handlers(isolated_dirs: Path) -> None:
    logs.setup_logging(verbose=True)
    path = logs.setup_logging(verbose=False)
    assert path is not None
    assert not logs.ensure_logging(), "already set up (by the CLI): the window leaves it alone"
    logging.getLogger("ecfmg_desk").info("once")
    assert path.read_text(encoding="utf-8").count("once") == 1
    logs.shutdown_logging()
    assert not logs.is_set_up()
    assert logs.ensure_logging()
