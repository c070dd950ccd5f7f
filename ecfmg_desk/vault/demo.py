"""An example applicant to explore: synthetic scans drawn with Pillow, no real person's data.

The packet is nearly complete on purpose, with a couple of deliberate problems (a diploma issued under
initials, a Spanish transcript still waiting for its translation) so a new user or an advisor sees at once how
findings and fixes look.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import img2pdf
from PIL import Image, ImageDraw, ImageFont

from ecfmg_desk.core.model import Document
from ecfmg_desk.vault.store import Vault

DEMO_DPI = 200
LETTER_IN = (8.5, 11.0)

PROFILE = {
    "given_names": "Maria Jose",
    "family_name": "Garcia Lopez",
    "date_of_birth": date(1996, 4, 12),
    "medical_school": "Universidad de Ejemplo, Facultad de Medicina",
    "graduation_date": date(2022, 6, 30),
    "usmle_id": "1-234-567-8",
    "myintealth_id": "MI-0042-7781",
    "clinical_skills_route": "pathway",
    "transferred_credits": False,
}


@dataclass(frozen=True)
class _Sheet:
    title: str
    subtitle: str
    lines: tuple[str, ...]
    band: tuple[int, int, int]
    landscape: bool = False


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def draw_sheet(sheet: _Sheet, dpi: int = DEMO_DPI) -> Image.Image:
    """A plausible-looking scanned certificate: paper tone, coloured letterhead, text lines, seal, signature."""
    w_in, h_in = (LETTER_IN[1], LETTER_IN[0]) if sheet.landscape else LETTER_IN
    width, height = int(w_in * dpi), int(h_in * dpi)
    image = Image.new("RGB", (width, height), (250, 247, 238))
    draw = ImageDraw.Draw(image)
    unit = dpi / 100
    draw.rectangle((0, 0, width, int(140 * unit)), fill=sheet.band)
    draw.text((int(50 * unit), int(35 * unit)), sheet.title, fill="white", font=_font(int(38 * unit)))
    draw.text((int(50 * unit), int(90 * unit)), sheet.subtitle, fill=(235, 235, 235), font=_font(int(20 * unit)))
    y = int(210 * unit)
    for line in sheet.lines:
        draw.text((int(60 * unit), y), line, fill=(30, 30, 40), font=_font(int(24 * unit)))
        y += int(48 * unit)
    cx, cy, r = width - int(190 * unit), height - int(220 * unit), int(90 * unit)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=sheet.band, width=max(2, int(6 * unit)))
    draw.text((cx - int(45 * unit), cy - int(12 * unit)), "SEAL", fill=sheet.band, font=_font(int(24 * unit)))
    sx, sy = int(80 * unit), height - int(200 * unit)
    draw.line(
        [(sx + i * int(18 * unit), sy + (i % 3 - 1) * int(14 * unit)) for i in range(14)],
        fill=(20, 40, 120),
        width=max(2, int(3 * unit)),
    )
    draw.line((sx, sy + int(40 * unit), sx + int(300 * unit), sy + int(40 * unit)), fill=(60, 60, 60), width=2)
    return image


def _jpeg(image: Image.Image, dpi: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, dpi=(dpi, dpi))
    return out.getvalue()


def _write_pdf(path: Path, sheets: list[_Sheet], dpi: int) -> Path:
    pages = [_jpeg(draw_sheet(s, dpi), dpi) for s in sheets]
    path.write_bytes(img2pdf.convert(pages))
    return path


def _write_jpeg(path: Path, sheet: _Sheet, dpi: int) -> Path:
    path.write_bytes(_jpeg(draw_sheet(sheet, dpi), dpi))
    return path


def _portrait(path: Path) -> Path:
    """A head-and-shoulders 'photo' on a plain light background (600 x 600 px)."""
    image = Image.new("RGB", (600, 600), (232, 238, 244))
    draw = ImageDraw.Draw(image)
    draw.ellipse((150, 380, 450, 760), fill=(40, 70, 120))
    draw.ellipse((210, 120, 390, 340), fill=(205, 160, 130))
    draw.ellipse((200, 95, 400, 230), fill=(60, 40, 30))
    image.save(path, "JPEG", quality=90, dpi=(300, 300))
    return path


def create_demo(vault: Vault, today: date | None = None, dpi: int = DEMO_DPI) -> int:
    """Fill ``vault`` with the example applicant; returns the number of documents added."""
    today = today or date.today()
    name = "Maria Jose Garcia Lopez"
    blue, green, red, teal, purple = (30, 70, 140), (30, 110, 70), (150, 40, 50), (20, 110, 120), (90, 50, 130)
    vault.update_profile(PROFILE)
    with tempfile.TemporaryDirectory(prefix="ecfmg-demo-") as work:
        tmp = Path(work)
        passport = _write_jpeg(tmp / "passport.jpg", _Sheet(
            "PASAPORTE / PASSPORT", "Republica de Ejemplo", (
                "Surname: GARCIA LOPEZ   Given names: MARIA JOSE", "Passport No. EX0000000 (example)",
                "Date of birth: 12 APR 1996", f"Date of issue: {today.year - 3} · Date of expiry: {today.year + 7}",
            ), blue, landscape=True), dpi)
        added = []
        added.append(vault.add_document(
            "passport", [passport], issued=date(today.year - 3, 2, 10), expires=date(today.year + 7, 2, 9),
            name_on_document=name).document)
        added.append(vault.add_document("photo", [_portrait(tmp / "photo.jpg")],
                                        issued=today - timedelta(days=40)).document)
        added.append(vault.add_document("identity-form", [_write_pdf(tmp / "identity-form.pdf", [_Sheet(
            "Intealth Identification Form", "Notarized online", (
                f"Applicant: {name}", "MyIntealth ID: MI-0042-7781", "Notarized via NotaryCam (example)"),
            teal)], dpi)], issued=today - timedelta(days=120), name_on_document=name).document)
        diploma = vault.add_document("medical-diploma", [_write_pdf(tmp / "diploma.pdf", [
            _Sheet("UNIVERSIDAD DE EJEMPLO", "Facultad de Medicina", (
                "Confiere el titulo de", "MEDICO CIRUJANO", "a M. J. Garcia",
                "Dado en la ciudad, a 15 de julio de 2022"), red),
            _Sheet("UNIVERSIDAD DE EJEMPLO", "Reverso / back", (
                "Registro No. 0000 (example)", "Firmas: Rector, Decano, Secretario General"), red),
        ], dpi)], issued=date(2022, 7, 15), language="es", name_on_document="M. J. Garcia").document
        added.append(diploma)
        added.append(vault.add_document(
            "translation", [_write_pdf(tmp / "diploma-translation.pdf", [_Sheet(
                "CERTIFIED TRANSLATION", "Lingua Example Translation Services", (
                    "University of Ejemplo, School of Medicine", "Confers the degree of PHYSICIAN AND SURGEON",
                    "on M. J. Garcia", "I certify that the word-for-word translation is correct."), purple),
                _Sheet("CERTIFIED TRANSLATION", "page 2", ("Back of diploma: registration and signatures",),
                       purple)], dpi)],
            translation_of=diploma.id, translator="Lingua Example Translation Services",
            translator_kind="professional", issued=date(2022, 8, 1)).document)
        transcript = vault.add_document("final-transcript", [_write_pdf(tmp / "transcript.pdf", [_Sheet(
            "CERTIFICADO DE NOTAS", "Universidad de Ejemplo", (
                f"Estudiante: {name}", "Anatomia 4.5 · Fisiologia 4.2 · Patologia 4.0", "Promedio 4.3"), green)],
            dpi)], issued=date(2022, 7, 20), language="es", name_on_document=name).document
        added.append(transcript)
        vault.edit_document(transcript.id, {"translation_status": "ordered"})
        passed = {"result": "pass", "attempt": 1}
        for req, title, issued, fields in (
            ("usmle-step1", "USMLE Step 1 - Score report: PASS", date(2021, 5, 3), passed),
            ("usmle-step2ck", "USMLE Step 2 CK - Score report: 248", date(2022, 11, 20), passed),
            ("oet-medicine", "OET Medicine - Results (L 410 R 390 W 380 S 420)", date(today.year - 1, 3, 9),
             {"listening": 410, "reading": 390, "writing": 380, "speaking": 420}),
            ("pathway-evidence", "Pathway 3 - Clinical skills attestation", date(today.year - 1, 10, 2),
             {"pathway": 3}),
        ):
            path = _write_pdf(tmp / f"{req}.pdf", [_Sheet(title.split(" - ")[0], title.split(" - ")[1], (
                f"Examinee: {name}", "USMLE ID: 1-234-567-8"), blue)], dpi)
            added.append(vault.add_document(req, [path], issued=issued, name_on_document=name,
                                            language="en", fields=fields).document)
        added.append(_clinical_experience(vault, tmp, today, name, dpi))
    return len(added)


def _clinical_experience(vault: Vault, tmp: Path, today: date, name: str, dpi: int) -> Document:
    """Two US rotations (a finished observership, a clerkship ahead with paperwork due), their letters and the
    observership's certificate, so the Clinical experience page and the plan have something to show."""
    clinical = vault.clinical
    obs_end = today - timedelta(days=150)
    observership = clinical.add_rotation(
        kind="observership", institution="Lakeside Community Hospital (example)", specialty="Internal Medicine",
        supervisor="Dr. Ellen Park (example)", start=obs_end - timedelta(days=27), end=obs_end, status="completed")
    clinical.set_task(observership.id, "Immunisation record", due=obs_end - timedelta(days=60), done=True)
    clinical.set_task(observership.id, "HIPAA training certificate", due=obs_end - timedelta(days=45), done=True)
    start = today + timedelta(days=45)
    clerkship = clinical.add_rotation(
        kind="clerkship", institution="Riverside University Medical Center (example)", specialty="Cardiology",
        supervisor="Dr. Samuel Okoro (example)", start=start, end=start + timedelta(days=27), status="confirmed")
    clinical.set_task(clerkship.id, "Background check", due=start - timedelta(days=30))
    clinical.set_task(clerkship.id, "Immunisation record and TB test", due=start - timedelta(days=21))
    clinical.set_task(clerkship.id, "BLS certificate", due=start - timedelta(days=14), done=True)
    clinical.add_letter(writer="Dr. Ellen Park (example)", writer_title="Observership supervisor",
                        rotation=observership.id, requested=obs_end + timedelta(days=3),
                        due=today + timedelta(days=20), status="promised", letter_id="L-EXAMPLE-01")
    clinical.add_letter(writer="Dr. Samuel Okoro (example)", writer_title="Clerkship director",
                        rotation=clerkship.id, due=start + timedelta(days=60), status="requested")
    certificate = _write_pdf(tmp / "observership-certificate.pdf", [_Sheet(
        "CERTIFICATE OF COMPLETION", "Lakeside Community Hospital (example)", (
            f"This certifies that {name}", "completed an observership in Internal Medicine",
            f"from {obs_end - timedelta(days=27):%d %b %Y} to {obs_end:%d %b %Y}",
            "Dr. Ellen Park (example), supervisor"), (20, 110, 120))], dpi)
    return vault.add_document("clinical-experience", [certificate], issued=obs_end + timedelta(days=2),
                              name_on_document=name, language="en", fields={"rotation": observership.id}).document
