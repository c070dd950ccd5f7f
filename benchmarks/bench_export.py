"""Export budget (DESIGN.md section 5): a 300-page packet of 300-dpi colour scans within 3x the time
``qpdf --empty --pages ... --`` takes to merge the same pages, peak memory under 400 MB.

    .venv/bin/python benchmarks/bench_export.py [--docs 150] [--pages 2] [--input pdf|jpeg] [--password PW]

Builds ``docs`` documents of ``pages`` realistic scans each (2550x3300 px JPEGs with paper grain, text, a seal;
~1.2-1.9 MB each): four scans are drawn and encoded once, and every page gets a copy with its own JPEG comment
so no two pages share bytes. ``--input pdf`` (default) gives each document as one scanner PDF (img2pdf);
``--input jpeg`` gives each page as a JPEG file (the export then converts them). qpdf always merges the
per-document PDFs. Each export runs in a fresh child process (three runs, median); its peak resident memory
is read from /proc (VmHWM). Needs qpdf (``apt-get install -y qpdf``).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT, DPI = 2550, 3300, 300


def _scan(seed: int, sigma: float, quality: int) -> bytes:
    """One realistic colour scan: off-white paper with grain, a heading, 30 lines of text, a seal, a signature."""
    from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

    rnd = random.Random(seed)
    paper = Image.new("RGB", (WIDTH, HEIGHT), (246, 243, 234))
    grain = Image.merge("RGB", [Image.effect_noise((WIDTH, HEIGHT), sigma) for _ in range(3)])
    im = ImageChops.add(paper, grain, 1.0, -128)
    draw = ImageDraw.Draw(im)
    draw.text((300, 300), "UNIVERSIDAD NACIONAL", font=ImageFont.load_default(size=110), fill=(30, 30, 90))
    words = ("lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "tempor")
    body = ImageFont.load_default(size=44)
    for y in range(600, 2700, 70):
        draw.text((250, y), " ".join(rnd.choice(words) for _ in range(12)), font=body, fill=(20, 20, 20))
    draw.ellipse((1700, 2600, 2200, 3100), outline=(170, 30, 30), width=14)
    draw.line([(300 + i * 12, 2900 + 40 * ((i % 7) - 3)) for i in range(80)], fill=(10, 40, 140), width=6)
    im = im.filter(ImageFilter.GaussianBlur(0.7))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=quality, dpi=(DPI, DPI))
    return out.getvalue()


def _with_comment(jpeg: bytes, text: str) -> bytes:
    """The same JPEG with a COM segment after SOI: different bytes (and hash), identical image."""
    body = text.encode()
    return jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(body) + 2) + body + jpeg[2:]


def build(work: Path, docs: int, pages: int) -> dict[str, object]:
    import img2pdf

    print(f"drawing 4 scans of {WIDTH}x{HEIGHT} px ...", flush=True)
    bases = [_scan(s, sigma, q) for s, (sigma, q) in enumerate([(6, 85), (8, 88), (10, 90), (5, 92)])]
    (work / "jpeg").mkdir()
    (work / "pdf").mkdir()
    manifest: list[dict[str, object]] = []
    for d in range(docs):
        jpegs = [_with_comment(bases[(d * pages + p) % 4], f"document {d} page {p}") for p in range(pages)]
        jpeg_paths = []
        for p, data in enumerate(jpegs):
            path = work / "jpeg" / f"d{d:03d}-p{p}.jpg"
            path.write_bytes(data)
            jpeg_paths.append(str(path))
        pdf_path = work / "pdf" / f"d{d:03d}.pdf"
        pdf_path.write_bytes(img2pdf.convert(jpegs))
        manifest.append({"id": f"doc-{d:03d}", "pdf": str(pdf_path), "jpegs": jpeg_paths})
    total = sum(f.stat().st_size for f in (work / "pdf").iterdir())
    print(f"{docs} documents, {docs * pages} pages, {total / 1e6:.0f} MB of scans", flush=True)
    return {"documents": manifest}


def child(work: Path, input_kind: str, password: str | None) -> None:
    """One export in this (fresh) process; prints a JSON line with the time and the peak memory."""
    sys.path.insert(0, str(ROOT))
    from ecfmg_desk.core.model import Document, FileInfo, Page, Profile, ValidationResult
    from ecfmg_desk.packet.assemble import Section, assemble_packet

    spec = json.loads((work / "spec.json").read_text())
    paths: dict[str, Path] = {}

    def info(path: str, kind: str, pages: int) -> FileInfo:
        p = Path(path)
        digest = hashlib.sha256(p.read_bytes()).hexdigest()
        paths[digest] = p
        page = Page(WIDTH, HEIGHT, DPI, WIDTH * 72 / DPI, HEIGHT * 72 / DPI, True)
        return FileInfo(p.name, digest, kind, p.stat().st_size, (page,) * pages)  # type: ignore[arg-type]

    sections = []
    for i, d in enumerate(spec["documents"]):
        files: tuple[FileInfo, ...]
        if input_kind == "pdf":
            files = (info(d["pdf"], "pdf", len(d["jpegs"])),)
        else:
            files = tuple(info(j, "jpeg", 1) for j in d["jpegs"])
        doc = Document(id=d["id"], requirement=f"req-{i // 5}", files=files, language="en")
        sections.append((f"req-{i // 5}", doc))
    grouped: dict[str, list[Document]] = {}
    for req, doc in sections:
        grouped.setdefault(req, []).append(doc)
    packet_sections = [Section(req, f"Requirement {req[4:]}", tuple(docs)) for req, docs in grouped.items()]

    def read_file(file: FileInfo) -> bytes:
        return paths[file.sha256].read_bytes()

    out = work / "packet.pdf"
    start = time.perf_counter()
    result = assemble_packet(
        out,
        sections=packet_sections,
        profile=Profile(given_names="María José", family_name="García López", usmle_id="1234-5678"),
        validation=ValidationResult(as_of=date(2026, 11, 20)),
        read_file=read_file,
        as_of=date(2026, 11, 20),
        app_version="bench",
        catalog_cycle="2026",
        password=password,
    )
    elapsed = time.perf_counter() - start
    status = Path("/proc/self/status").read_text()
    hwm_kb = int(status.split("VmHWM:")[1].split()[0])
    print(
        json.dumps(
            {"seconds": elapsed, "peak_mb": hwm_kb / 1024, "pages": result.page_count, "size_mb": result.size / 1e6}
        )
    )


def _qpdf(work: Path, pdfs: list[str]) -> float:
    out = work / "qpdf.pdf"
    start = time.perf_counter()
    subprocess.run(["qpdf", "--empty", "--pages", *pdfs, "--", str(out)], check=True)
    elapsed = time.perf_counter() - start
    out.unlink()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=150)
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--input", choices=("pdf", "jpeg"), default="pdf")
    parser.add_argument("--password")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.input, args.password)
        return 0
    if shutil.which("qpdf") is None:
        print("qpdf is missing: apt-get install -y qpdf (Debian/Ubuntu) or brew install qpdf", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="bench-export-"))
    try:
        spec = build(work, args.docs, args.pages)
        (work / "spec.json").write_text(json.dumps(spec))
        pdfs = [str(d["pdf"]) for d in spec["documents"]]  # type: ignore[attr-defined]
        _qpdf(work, pdfs)  # warm the page cache for both contestants
        qpdf_times = [_qpdf(work, pdfs) for _ in range(args.runs)]
        runs = []
        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
        for _ in range(args.runs):
            cmd = [sys.executable, __file__, "--child", str(work), "--input", args.input]
            if args.password:
                cmd += ["--password", args.password]
            done = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if done.returncode:
                print(done.stderr, file=sys.stderr)
                raise SystemExit(f"export failed (exit {done.returncode})")
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            (work / "packet.pdf").unlink()
        export = statistics.median(r["seconds"] for r in runs)
        qpdf = statistics.median(qpdf_times)
        peak = max(r["peak_mb"] for r in runs)
        print(
            f"input: {args.input}{' + AES-256 password' if args.password else ''}; "
            f"packet: {runs[0]['pages']} pages, {runs[0]['size_mb']:.0f} MB"
        )
        print(f"qpdf merge     median {qpdf:.2f} s  ({', '.join(f'{t:.2f}' for t in qpdf_times)})")
        export_times = ", ".join(f"{r['seconds']:.2f}" for r in runs)
        print(f"export         median {export:.2f} s  ({export_times})")
        print(f"ratio          {export / qpdf:.2f}x (budget 3x)")
        print(f"peak memory    {peak:.0f} MB (budget 400 MB; whole child process, VmHWM)")
        return 0 if export <= 3 * qpdf and peak < 400 else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
