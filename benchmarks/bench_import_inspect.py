"""Time ``inspect_file`` on the import budget's files (DESIGN.md section 5): prints medians, asserts nothing.

The budget is 2 s to import a 20-page 300-dpi colour scan PDF *including* encryption and thumbnails; this
measures the inspection share (sniff, parse, DPI/colour per page, first-page thumbnail, SHA-256). The scans
carry paper grain so each JPEG page is ~2 MB, as a real 300-dpi colour scan is.

Run from the repository root: ``.venv/bin/python -m benchmarks.bench_import_inspect [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if not __package__:  # run as a script: make ``ecfmg_desk`` and ``tests`` importable from the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ecfmg_desk.vault.inspect import inspect_file, render_page
from tests import samples


def timed(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm-up: imports, PDFium initialisation, OS file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def report(label: str, times: list[float], *, size: int, pages: int) -> None:
    median = statistics.median(times)
    spread = f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})"
    print(
        f"{label:<50} median {median * 1000:5.0f} ms {spread:<18} {pages:2d} pages, {size / 1e6:4.1f} MB, "
        f"{median / pages * 1000:.0f} ms/page"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-inspect-") as tmp:
        folder = Path(tmp)
        print("generating samples...", flush=True)
        cases = [
            (
                "20-page 300-dpi colour scan PDF",
                samples.make_scan_pdf(
                    folder / "scan-colour.pdf", pages=20, dpi=300, color=True, texture=True
                ),
                20,
            ),
            (
                "20-page 300-dpi grey scan PDF",
                samples.make_scan_pdf(folder / "scan-grey.pdf", pages=20, dpi=300, color=False, texture=True),
                20,
            ),
            (
                "6-page 300-dpi colour TIFF (LZW)",
                samples.make_tiff(folder / "transcript.tif", pages=6, size_px=(2550, 3300), dpi=300),
                6,
            ),
            (
                "6-page 300-dpi bilevel TIFF (G4)",
                samples.make_tiff(
                    folder / "fax.tif", pages=6, size_px=(2550, 3300), dpi=300, compression="group4"
                ),
                6,
            ),
            ("1 300-dpi colour JPEG", samples.make_jpeg(folder / "passport.jpg", texture=True), 1),
        ]
        for label, path, pages in cases:
            times = timed(lambda path=path: inspect_file(path), args.runs)  # type: ignore[misc]
            report(f"inspect_file: {label}", times, size=path.stat().st_size, pages=pages)

        pdf = inspect_file(cases[0][1])
        times = timed(lambda: render_page(pdf.data, "pdf", 10, 1200), args.runs)
        report("render_page: scan PDF page at 1200 px", times, size=len(pdf.data), pages=1)
        tiff = inspect_file(cases[2][1])
        times = timed(lambda: render_page(tiff.data, "tiff", 5, 1200), args.runs)
        report("render_page: TIFF page 6 at 1200 px", times, size=len(tiff.data), pages=1)


if __name__ == "__main__":
    main()
