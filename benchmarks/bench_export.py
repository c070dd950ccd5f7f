"""Export budget (DESIGN.md section 5, issue 14): ``ecfmg-desk export`` of a realistic packet within 3x (aim 2x)
the time ``qpdf --empty --pages ... --`` takes to merge the same pages, peak memory under 400 MB, in one run.

    .venv/bin/python benchmarks/bench_export.py [--runs 3] [--scans 10] [--scan-pages 28] [--password-env VAR]
                                                [--keep DIR] [--profile FILE]

The packet is the mix applicants have: the demo applicant's 11 certification documents with image files — the
diploma's front and back as 150-dpi PNG scans, a 6-page LZW TIFF transcript, a 300-dpi JPEG passport, and PNG or
JPEG copies of the photo, identity form, diploma translation, score reports, OET result, Pathway attestation and
clinical certificate — plus ``scans`` scanned PDFs of ``scan-pages`` 300-dpi JPEG pages each (default ten of 28:
the name verification, the transcript's translation and eight clinical-experience documents), every page with its
own bytes. The vault is built once (not timed; each image becomes PDF pages at import) and passes validation, so
what is timed is the real command: ``python -m ecfmg_desk --vault V export --out P`` as a whole process
(interpreter start, imports, opening the vault with its key from a keyring, validation, reading and decrypting
every file, drawing the cover and the stamps, writing the packet). qpdf, as a whole process too, merges the same
document pages: the scanned PDFs and each image file's stored pages. Runs alternate between the two, so a busy
moment hits both alike; the peak resident memory of each export process is its own (``wait4``'s ru_maxrss).

``--profile FILE`` runs one export under cProfile into FILE instead (``python -m pstats FILE``). Needs qpdf
(``apt-get install qpdf``).
"""

from __future__ import annotations

import argparse
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
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
AS_OF = date(2026, 11, 25)
NAME = "Maria Jose Garcia Lopez"


def _scan(seed: int, size: tuple[int, int]) -> Any:
    """A realistic colour scan (PIL image): paper with grain, a heading, lines of text, a seal, a signature."""
    from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

    rnd = random.Random(seed)
    k = size[0] / 2550
    paper = Image.new("RGB", size, (246, 243, 234))
    grain = Image.merge("RGB", [Image.effect_noise(size, 6) for _ in range(3)])
    im = ImageChops.add(paper, grain, 1.0, -128)
    draw = ImageDraw.Draw(im)
    draw.text((300 * k, 300 * k), "UNIVERSIDAD NACIONAL", font=ImageFont.load_default(size=110 * k), fill=(30, 30, 90))
    words = ("lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "tempor")
    body = ImageFont.load_default(size=44 * k)
    for y in range(int(600 * k), int(2700 * k), int(70 * k)):
        draw.text((250 * k, y), " ".join(rnd.choice(words) for _ in range(12)), font=body, fill=(20, 20, 20))
    draw.ellipse((1700 * k, 2600 * k, 2200 * k, 3100 * k), outline=(170, 30, 30), width=int(14 * k))
    draw.line([(300 * k + i * 12 * k, 2900 * k + 40 * k * ((i % 7) - 3)) for i in range(80)], fill=(10, 40, 140))
    return im.filter(ImageFilter.GaussianBlur(0.7))


def _encode(im: Any, fmt: str, dpi: int, **kw: object) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, dpi=(dpi, dpi), **kw)
    return out.getvalue()


def _with_comment(jpeg: bytes, text: str) -> bytes:
    """The same JPEG with a COM segment after SOI: different bytes (and hash), identical image."""
    body = text.encode()
    return jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(body) + 2) + body + jpeg[2:]


def _env(work: Path) -> dict[str, str]:
    """The export's environment: its key from a keyring (no scrypt, as a keyring user sees it), offscreen, and
    Python's bytecode cache allowed (an installed app has its .pyc files; without them every run compiles)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)]),
            "PYTHON_KEYRING_BACKEND": "_bench_keyring.FileKeyring", "BENCH_KEYRING_FILE": str(work / "keyring.json")}


def build(work: Path, scans: int, scan_pages: int) -> list[str]:
    """Write the input files and import them into ``work/vault``; return the PDFs qpdf merges."""
    import img2pdf

    sys.path[:0] = [str(HERE), str(ROOT)]
    os.environ.update(_env(work))
    from ecfmg_desk.resources import catalog_for
    from ecfmg_desk.vault.demo import create_demo
    from ecfmg_desk.vault.inspect import inspect_file
    from ecfmg_desk.vault.store import Vault
    from ecfmg_desk.vault.validation import validate_vault

    print("drawing and encoding the scans ...", flush=True)
    files = work / "files"
    files.mkdir()
    a4_150, a4_300 = (1240, 1754), (2480, 3508)
    png = [_encode(_scan(s, a4_150), "PNG", 150) for s in range(6)]
    jpeg = _encode(_scan(9, a4_300), "JPEG", 300, quality=88)
    frames = [_scan(20 + s, a4_150) for s in range(6)]
    tiff = io.BytesIO()
    frames[0].save(tiff, "TIFF", save_all=True, append_images=frames[1:], compression="tiff_lzw", dpi=(150, 150))

    def write(name: str, data: bytes) -> Path:
        path = files / name
        path.write_bytes(data)
        return path

    images: dict[str, list[Path]] = {
        "passport": [write("passport.jpg", jpeg)],
        "photo": [write("photo.jpg", _with_comment(jpeg, "photo"))],
        "identity-form": [write("identity-form.jpg", _with_comment(jpeg, "identity form"))],
        "medical-diploma": [write("diploma-front.png", png[0]), write("diploma-back.png", png[1])],
        "translation": [write("diploma-translation-1.png", png[2]), write("diploma-translation-2.png", png[3])],
        "final-transcript": [write("transcript.tif", tiff.getvalue())],
        "usmle-step1": [write("step1.png", png[4])],
        "usmle-step2ck": [write("step2ck.png", png[5])],
        "oet-medicine": [write("oet.jpg", _with_comment(jpeg, "oet"))],
        "pathway-evidence": [write("pathway.jpg", _with_comment(jpeg, "pathway"))],
        "clinical-experience": [write("certificate.jpg", _with_comment(jpeg, "certificate"))],
    }
    base = _encode(_scan(30, (2550, 3300)), "JPEG", 300, quality=88)
    scanned = [write(f"scan-{d:02d}.pdf", img2pdf.convert([_with_comment(base, f"scan {d} page {p}")
                                                             for p in range(scan_pages)]))
               for d in range(scans)]

    print("importing into a vault (each image becomes PDF pages once) ...", flush=True)
    with Vault.open(work / "vault", create=True) as vault:
        create_demo(vault, today=AS_OF)
        demo = {d.requirement: d for d in vault.documents()}  # the diploma's translation under "translation"
        for requirement, paths in images.items():
            vault.replace_files(demo[requirement].id, [inspect_file(p) for p in paths])
        transcript = demo["final-transcript"]
        extra: list[tuple[str, dict[str, Any]]] = [
            ("name-verification", {"issued": date(2023, 1, 10), "name_on_document": "M. J. Garcia"}),
            ("translation", {"translation_of": transcript.id, "translator": "Lingua",
                             "translator_kind": "professional", "issued": date(2022, 8, 2)}),
        ]
        clinical = {"issued": date(2026, 7, 2), "name_on_document": NAME, "language": "en"}
        extra += [("clinical-experience", clinical)] * max(0, scans - 2)
        for path, (requirement, metadata) in zip(scanned, extra, strict=False):
            vault.add_document(requirement, [path], **metadata)
        validation = validate_vault(vault, catalog_for(vault.profile().match_year, AS_OF), AS_OF)
        if not validation.ready:
            raise SystemExit(f"the benchmark's vault does not pass validation: {validation.errors}")
        qpdf_inputs = [str(write(f"{f.sha256[:16]}.pages.pdf", vault.page_pdf(f)))
                       for d in vault.documents() for f in d.files]
    total = sum(Path(p).stat().st_size for p in qpdf_inputs)
    print(f"11 certification documents + {scans} scanned PDFs of {scan_pages} pages; "
          f"{total / 1e6:.0f} MB of document pages", flush=True)
    return qpdf_inputs


def _export_cmd(work: Path, password_env: str | None) -> list[str]:
    cmd = [sys.executable, "-m", "ecfmg_desk", "--vault", str(work / "vault"), "export", "--out",
           str(work / "packet.pdf"), "--as-of", AS_OF.isoformat()]
    return cmd + (["--password-env", password_env] if password_env else [])


def _run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall time (s) and peak resident memory (MB) of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        assert proc.stderr is not None
        raise SystemExit(f"{cmd[0]} failed (exit {proc.returncode}): {proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scans", type=int, default=10)
    parser.add_argument("--scan-pages", type=int, default=28)
    parser.add_argument("--password-env", help="export with the password in this environment variable")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build into (or reuse) this folder and keep it")
    parser.add_argument("--profile", type=Path, help="profile one export with cProfile into this file")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if shutil.which("qpdf") is None:
        print("qpdf is missing: apt-get install -y qpdf (Debian/Ubuntu) or brew install qpdf", file=sys.stderr)
        return 2
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-export-"))
    try:
        inputs = work / "qpdf-inputs.json"
        if args.build_only:
            work.mkdir(parents=True, exist_ok=True)
            inputs.write_text(json.dumps(build(work, args.scans, args.scan_pages)))
            return 0
        if not (args.keep and inputs.is_file()):
            # Built in a child process: a child forked from a parent holding the drawn scans would report the
            # parent's size as its own peak (ru_maxrss carries over through exec), ~300 MB too much.
            subprocess.run([sys.executable, __file__, "--build-only", "--keep", str(work), "--scans", str(args.scans),
                            "--scan-pages", str(args.scan_pages)], check=True)
        pdfs = json.loads(inputs.read_text())
        env = _env(work)
        export = _export_cmd(work, args.password_env)
        if args.profile:
            _run([export[0], "-m", "cProfile", "-o", str(args.profile), *export[1:]], env)
            print(f"profile written to {args.profile}")
            return 0
        qpdf = ["qpdf", "--empty", "--pages", *pdfs, "--", str(work / "qpdf.pdf")]
        _run(qpdf)  # warm the page cache (and Python's bytecode cache) for both contestants
        _run(export, env)
        qpdf_times, runs = [], []
        for _ in range(args.runs):
            qpdf_times.append(_run(qpdf)[0])
            runs.append(_run(export, env))
        from pypdf import PdfReader

        pages = len(PdfReader(work / "packet.pdf").pages)
        size = (work / "packet.pdf").stat().st_size / 1e6
        median_export = statistics.median(t for t, _ in runs)
        median_qpdf = statistics.median(qpdf_times)
        peak = max(m for _, m in runs)
        load = os.getloadavg()
        print(f"packet: {pages} pages, {size:.0f} MB{' + AES-256 password' if args.password_env else ''}")
        print(f"qpdf merge     median {median_qpdf:.2f} s  ({', '.join(f'{t:.2f}' for t in qpdf_times)})")
        print(f"export         median {median_export:.2f} s  ({', '.join(f'{t:.2f}' for t, _ in runs)};"
              " whole `ecfmg-desk export` process)")
        print(f"ratio          {median_export / median_qpdf:.2f}x (budget 3x, aim 2x)")
        print(f"peak memory    {peak:.0f} MB (budget 400 MB; the export process's peak resident set)")
        print(f"load average   {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (at the end of the run)")
        return 0 if median_export <= 3 * median_qpdf and peak < 400 else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
