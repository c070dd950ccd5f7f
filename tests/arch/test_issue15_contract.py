"""Two parts of issue 15 that live in the source tree rather than in a window: the pages never ask which mode they
are in, and the README names every system library Qt's X11 window needs on Debian/Ubuntu."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import PySide6

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "ecfmg_desk" / "ui"
MODE_FILES = {"modes.py", "session.py", "bundle_session.py"}
"""The two mode controllers and the two session classes: the only places that may know the mode."""


def test_only_the_mode_controllers_and_sessions_name_the_mode() -> None:
    naming = sorted(path.name for path in UI.glob("*.py")
                    if re.search(r"read_only|review_mode", path.read_text(encoding="utf-8")))
    assert set(naming) <= MODE_FILES, naming


def _needed(library: Path) -> list[str]:
    """The DT_NEEDED entries of a 64-bit little-endian ELF shared library (what the loader must find)."""
    data = library.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, library
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    dynamic = next(s for s in sections if s[1] == 6)  # SHT_DYNAMIC
    strings = sections[dynamic[6]]  # sh_link: its string table
    names = []
    for offset in range(dynamic[4], dynamic[4] + dynamic[5], 16):
        tag, value = struct.unpack_from("<qQ", data, offset)
        if tag == 1:  # DT_NEEDED
            start = strings[4] + value
            names.append(data[start:data.index(b"\0", start)].decode("ascii"))
    return names


def _debian_package(soname: str) -> str:
    """``libxcb-icccm.so.4`` → ``libxcb-icccm4``, ``libxkbcommon-x11.so.0`` → ``libxkbcommon-x11-0`` (Debian's
    naming of a shared library's package)."""
    name, version = soname.split(".so.")
    name = name.lower()
    return f"{name}-{version}" if name[-1].isdigit() else f"{name}{version}"


def test_the_readme_lists_every_x11_library_qts_window_loads() -> None:
    qt = Path(PySide6.__file__).parent / "Qt"
    plugin = qt / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists():  # (a macOS or Windows wheel: nothing to install there, as the README says)
        assert "nothing to install" in (ROOT / "README.md").read_text(encoding="utf-8")
        return
    wanted: set[str] = set()
    for library in (plugin, *sorted((qt / "lib").glob("libQt6XcbQpa.so*"))[:1]):
        wanted |= {_debian_package(n) for n in _needed(library)
                   if n.startswith(("libxcb", "libX11-xcb", "libxkbcommon"))}
    assert "libxcb-icccm4" in wanted and "libxcb-keysyms1" in wanted, wanted  # (the parse found the xcb ones)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = readme[readme.index("sudo apt-get install"):]
    command = command[:command.index("```")]
    listed = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", command))
    missing = sorted(wanted - listed - {"libxcb1"})  # (libx11-xcb1 depends on it: every X11 install has it)
    assert missing == [], f"the README's apt-get line lacks {missing}"
    assert "macOS and Windows" in readme and "nothing to install" in readme
