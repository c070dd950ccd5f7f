"""Import into a real vault: a 20-page 300-dpi colour scan PDF and a 6-page TIFF (DESIGN.md section 5: < 2 s).

Measures the whole ``Vault.add_document`` path: sniffing, page inspection, thumbnail, AES-GCM encryption,
atomic blob writes and the database commit. Run: ``.venv/bin/python benchmarks/bench_import.py``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keyring
from keyring.backends import fail

from ecfmg_desk.vault.store import Vault
from tests.samples import make_scan_pdf, make_tiff

RUNS = 5


def _median_import(vault: Vault, requirement: str, path: Path) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = vault.add_document(requirement, [path])
        times.append(time.perf_counter() - start)
        vault.remove_document(result.document.id)
    return statistics.median(times)


def main() -> None:
    # the passphrase path: a benchmark never touches the OS keyring
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    with tempfile.TemporaryDirectory() as work:
        tmp = Path(work)
        pdf = make_scan_pdf(tmp / "scan.pdf", pages=20, dpi=300, texture=True)
        tiff = make_tiff(tmp / "scan.tif", pages=6, size_px=(2550, 3300), dpi=300)
        with Vault.open(tmp / "vault", create=True, passphrase="benchmark passphrase") as vault:
            pdf_s = _median_import(vault, "medical-diploma", pdf)
            tiff_s = _median_import(vault, "final-transcript", tiff)
        print(f"20-page 300-dpi colour PDF ({pdf.stat().st_size / 1e6:.1f} MB): median {pdf_s * 1000:.0f} ms "
              f"over {RUNS} runs (budget 2000 ms)")
        print(f"6-page 300-dpi TIFF ({tiff.stat().st_size / 1e6:.1f} MB): median {tiff_s * 1000:.0f} ms "
              f"over {RUNS} runs")


if __name__ == "__main__":
    main()
