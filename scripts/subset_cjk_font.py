"""Rebuild ``resources/fonts/NotoSansCJKsc-Regular-subset.otf``, the CJK font the packet and the window carry.

Why a subset: the full Noto Sans CJK collection is 19 MB; names need the characters in everyday use. The
subset keeps Noto Sans CJK SC (face 2 of Debian's ``NotoSansCJK-Regular.ttc``, package ``fonts-noto-cjk``)
with every character of these national standards, which is what passports and school records print:

- GB 2312 (simplified Chinese, 6,763 hanzi and its symbols),
- JIS X 0208 (Japanese: 6,355 kanji, hiragana, katakana),
- KS X 1001 (Korean: the 2,350 common Hangul syllables and its hanja),
- Big5 level 1 (traditional Chinese, the 5,401 frequent hanzi),

plus ASCII, CJK punctuation (U+3000-303F), kana (U+3040-30FF) and full-width forms (U+FF00-FFEF):
14,308 characters from the standards, 10,563 of them Han. Hinting is dropped (the packet is a PDF; the window
antialiases), which keeps the file at about 5.7 MB. A character outside the subset falls back to whatever
font the machine has.

Run with fontTools installed (``pip install fonttools``; not a dependency of the app):
    python scripts/subset_cjk_font.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "resources" / "fonts" / "NotoSansCJKsc-Regular-subset.otf"
SC_FACE = 2
"""Index of Noto Sans CJK SC in the collection (JP, KR, SC, TC, HK, then the Mono faces)."""


def _decodable(codec: str, lead: range, trail: list[int]) -> set[str]:
    out: set[str] = set()
    for a in lead:
        for b in trail:
            try:
                out.update(bytes([a, b]).decode(codec))
            except UnicodeDecodeError:
                continue
    return out


def characters() -> str:
    """Every character of the four standards, via Python's codecs (one double-byte code at a time)."""
    euc_trail = list(range(0xA1, 0xFF))
    chars = (
        _decodable("gb2312", range(0xA1, 0xF8), euc_trail)
        | _decodable("euc_jp", range(0xA1, 0xF5), euc_trail)
        | _decodable("euc_kr", range(0xA1, 0xFE), euc_trail)
        | _decodable("big5", range(0xA4, 0xC7), list(range(0x40, 0x7F)) + euc_trail)
    )
    return "".join(sorted(chars))


def main(collection: str) -> None:
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as fh:
        fh.write(characters())
    subprocess.run(
        [
            sys.executable,
            "-m",
            "fontTools.subset",
            collection,
            f"--font-number={SC_FACE}",
            f"--text-file={fh.name}",
            "--unicodes=U+0020-007E,U+3000-303F,U+3040-30FF,U+FF00-FFEF",
            "--desubroutinize",
            "--no-hinting",
            f"--output-file={OUT}",
        ],
        check=True,
    )
    Path(fh.name).unlink()
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
