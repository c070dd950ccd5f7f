"""The packet's text pages (cover, contents, page stamps), drawn with Qt into one in-memory PDF.

Why Qt: it shapes every script (Arabic, Devanagari, Chinese names) and embeds the fonts it used, once for the
whole document, so hundreds of stamps share one font subset. Only QtGui is used (QPdfWriter, QPainter,
QTextDocument), never QtWidgets, under a QGuiApplication on the offscreen platform when the caller has none
(the command line). The assembler copies these pages into the packet and turns each stamp page into an
overlay drawn over a scan without touching the scan's bytes.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
    QTextOption,
)

from .fonts import packet_font, register_fonts

_RESOLUTION = 600
"""Device units per inch of the QPdfWriter: fine enough that Qt's text layout does not snap to a coarse grid."""
_U = _RESOLUTION / 72.0
"""Device units per PostScript point."""

_MARGIN_PT = 54.0
_INK = QColor("#1b1b1b")
_MUTED = QColor("#5a5f66")
_RULE = QColor("#b8bcc2")
_STAMP_PT = 7.5

_app: QGuiApplication | None = None
"""The application this module created (kept referenced so Qt does not tear it down)."""


def ensure_gui_app() -> None:
    """Make sure a QGuiApplication exists; create one on the offscreen platform when none does.

    The GUI already has its QApplication (a QGuiApplication); the command line has none. ``QT_QPA_PLATFORM``
    is set only when unset, so a caller's explicit choice wins.
    """
    global _app
    existing = QGuiApplication.instance()
    if existing is not None:
        if not isinstance(existing, QGuiApplication):
            raise RuntimeError("a QCoreApplication exists; drawing the packet's text needs a QGuiApplication")
        register_fonts()
        return
    if "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    _app = QGuiApplication(["ecfmg-desk"])
    register_fonts()


@dataclass(frozen=True)
class Cover:
    kicker: str
    name: str
    rows: tuple[tuple[str, str], ...]
    status: str
    status_ok: bool
    status_detail: str
    findings: tuple[tuple[str, str, str], ...]
    """(severity word, message, fix) for every error and warning, in the order to print."""
    footer: str


@dataclass(frozen=True)
class Sheet:
    """A page of headed rows and bulleted sections, drawn like the cover (letter request, clinical summary)."""

    kicker: str
    title: str
    rows: tuple[tuple[str, str], ...]
    sections: tuple[tuple[str, tuple[str, ...]], ...]
    """(heading, bullet lines) in the order to print."""
    footer: str
    note: str = ""


@dataclass(frozen=True)
class ContentsLine:
    level: int
    """0 for a requirement (section), 1 for a document."""
    title: str
    detail: str
    page: int | None
    """Offset of the entry's first page among the document pages (0-based); ``None``: nothing to show."""


@dataclass(frozen=True)
class TextPages:
    pdf: bytes
    cover_pages: int
    contents_pages: int
    stamp_count: int

    @property
    def first_stamp(self) -> int:
        return self.cover_pages + self.contents_pages


def _font(points: float, *, bold: bool = False) -> QFont:
    return packet_font(points, bold=bold)


def _page_size(width_pt: float, height_pt: float) -> QPageSize:
    return QPageSize(QSizeF(width_pt, height_pt), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch)


def _pdf_writer(paper: tuple[float, float]) -> tuple[QBuffer, QPdfWriter]:
    """An in-memory PDF writer with the packet's page size, no margins and our creator name (the cover and the
    sheets are drawn the same way, so they look like one document)."""
    ensure_gui_app()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(_RESOLUTION)
    writer.setPageSize(_page_size(*paper))
    writer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)
    writer.setCreator("ECFMG Desk")
    return buffer, writer


def render_text_pages(
    *,
    paper: tuple[float, float],
    cover: Cover,
    contents: Sequence[ContentsLine],
    stamps: Sequence[str],
    sheets: Sequence[Sheet] = (),
) -> TextPages:
    """Draw the cover (then ``sheets``, counted as cover pages), the contents (page numbers counted from after
    them) and one small page per stamp."""
    buffer, writer = _pdf_writer(paper)
    painter = QPainter(writer)
    try:
        cover_pages = _draw_cover(painter, writer, paper, cover)
        for sheet in sheets:
            writer.newPage()
            cover_pages += _draw_html(painter, writer, paper, _sheet_html(sheet), sheet.footer)
        writer.newPage()
        contents_pages = _draw_contents(painter, writer, paper, contents, cover_pages)
        for label in stamps:
            _draw_stamp(painter, writer, label)
    finally:
        painter.end()
    data = bytes(QByteArray(buffer.data()).data())
    buffer.close()
    return TextPages(data, cover_pages, contents_pages, len(stamps))


def _px(points: float) -> str:
    """A CSS length for QTextDocument, whose rich-text margins are CSS pixels (1/96 in) on any device."""
    return f"{points * 96 / 72:.0f}px"


def _cover_html(cover: Cover) -> str:
    rows = "".join(
        f'<tr><td width="32%" style="color:{_MUTED.name()}; padding-bottom:{_px(5)}">{escape(k)}</td>'
        f'<td style="padding-bottom:{_px(5)}">{escape(v)}</td></tr>'
        for k, v in cover.rows
    )
    colour = "#1e6b34" if cover.status_ok else "#8a4b00"
    findings = ""
    if cover.findings:
        items = "".join(
            f'<p style="margin-bottom:{_px(6)}"><b>{escape(word)}:</b> {escape(text)}'
            + (f' <span style="color:{_MUTED.name()}">{escape(fix)}</span>' if fix else "")
            + "</p>"
            for word, text, fix in cover.findings
        )
        findings = (
            f'<p style="font-size:12pt; font-weight:bold; margin-top:{_px(20)}; margin-bottom:{_px(8)}">'
            f"Problems and warnings</p>{items}"
        )
    return (
        f'<p style="color:{_MUTED.name()}; font-size:11pt">{escape(cover.kicker)}</p>'
        f'<p style="font-size:26pt; font-weight:bold; margin-top:{_px(4)}; margin-bottom:{_px(14)}">'
        f"{escape(cover.name)}</p>"
        f'<hr style="color:{_RULE.name()}"/>'
        f'<table width="100%" cellspacing="0" cellpadding="0" style="margin-top:{_px(10)}">{rows}</table>'
        f'<p style="font-size:12pt; font-weight:bold; margin-top:{_px(26)}; margin-bottom:{_px(4)}">'
        "Checklist status</p>"
        f'<p style="font-size:18pt; font-weight:bold; color:{colour}; margin-bottom:{_px(4)}">'
        f"{escape(cover.status)}</p>"
        f"<p>{escape(cover.status_detail)}</p>"
        f"{findings}"
    )


def _sheet_html(sheet: Sheet) -> str:
    rows = "".join(
        f'<tr><td width="32%" style="color:{_MUTED.name()}; padding-bottom:{_px(5)}">{escape(k)}</td>'
        f'<td style="padding-bottom:{_px(5)}">{escape(v)}</td></tr>'
        for k, v in sheet.rows
    )
    sections = "".join(
        f'<p style="font-size:12pt; font-weight:bold; margin-top:{_px(18)}; margin-bottom:{_px(6)}">'
        f"{escape(heading)}</p>"
        + "".join(f'<p style="margin-bottom:{_px(4)}">•&nbsp;{escape(line)}</p>' for line in lines)
        for heading, lines in sheet.sections
    )
    note = f'<p style="margin-top:{_px(18)}; color:{_MUTED.name()}">{escape(sheet.note)}</p>' if sheet.note else ""
    return (
        f'<p style="color:{_MUTED.name()}; font-size:11pt">{escape(sheet.kicker)}</p>'
        f'<p style="font-size:22pt; font-weight:bold; margin-top:{_px(4)}; margin-bottom:{_px(14)}">'
        f"{escape(sheet.title)}</p>"
        f'<hr style="color:{_RULE.name()}"/>'
        f'<table width="100%" cellspacing="0" cellpadding="0" style="margin-top:{_px(10)}">{rows}</table>'
        f"{sections}{note}"
    )


def render_sheet(paper: tuple[float, float], sheet: Sheet) -> tuple[bytes, int]:
    """One sheet as a PDF of its own (the letter writer's request sheet); returns the bytes and the page count."""
    buffer, writer = _pdf_writer(paper)
    writer.setTitle(sheet.kicker)
    painter = QPainter(writer)
    try:
        pages = _draw_html(painter, writer, paper, _sheet_html(sheet), sheet.footer)
    finally:
        painter.end()
    data = bytes(QByteArray(buffer.data()).data())
    buffer.close()
    return data, pages


def _draw_cover(painter: QPainter, writer: QPdfWriter, paper: tuple[float, float], cover: Cover) -> int:
    return _draw_html(painter, writer, paper, _cover_html(cover), cover.footer, "cover")


def _draw_html(
    painter: QPainter, writer: QPdfWriter, paper: tuple[float, float], html: str, footer_text: str, part: str = "page"
) -> int:
    """Lay ``html`` out on as many pages as it needs, each with the footer line; returns the page count."""
    width = (paper[0] - 2 * _MARGIN_PT) * _U
    footer_pt = 30.0
    height = (paper[1] - 2 * _MARGIN_PT - footer_pt) * _U
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)
    doc.setDefaultFont(_font(10.5))
    option = QTextOption()
    option.setTextDirection(Qt.LayoutDirection.LeftToRight)  # an Arabic name stays aligned with the rest
    doc.setDefaultTextOption(option)
    doc.setDocumentMargin(0)
    doc.setDefaultStyleSheet(f"body {{ color: {_INK.name()}; }}")
    doc.setPageSize(QSizeF(width, height))
    doc.setHtml(html)
    pages = max(1, doc.pageCount())
    for i in range(pages):
        if i:
            writer.newPage()
        painter.save()
        painter.translate(_MARGIN_PT * _U, _MARGIN_PT * _U - i * height)
        doc.drawContents(painter, QRectF(0, i * height, width, height))
        painter.restore()
        painter.setFont(_font(8))
        painter.setPen(_MUTED)
        footer = footer_text if pages == 1 else f"{footer_text} · {part} {i + 1}/{pages}"
        bottom = (paper[1] - _MARGIN_PT + 12) * _U
        painter.setPen(QPen(_RULE, 0.5 * _U))
        painter.drawLine(
            QPointF(_MARGIN_PT * _U, bottom - 14 * _U), QPointF((paper[0] - _MARGIN_PT) * _U, bottom - 14 * _U)
        )
        painter.setPen(_MUTED)
        painter.drawText(QPointF(_MARGIN_PT * _U, bottom), footer)
    return pages


_Segment = tuple[str, bool]
"""A piece of one row of the contents: its text, and whether it is the muted detail (else the title)."""


@dataclass(frozen=True)
class _Placed:
    page: int
    y: float
    line: ContentsLine
    rows: tuple[tuple[_Segment, ...], ...]


_FIRST_ROW = {0: 24.0, 1: 17.0}
"""Points from the top of an entry to the next, for its first row (level 0 has space above)."""
_NEXT_ROW = {0: 14.5, 1: 12.5}
"""Points for each further row when an entry wraps."""


def _wrap(metrics: QFontMetricsF, text: str, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` at spaces (a word wider than a line at characters):
    the contents never cut a title or a translation's line with "…"."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if metrics.horizontalAdvance(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while metrics.horizontalAdvance(word) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and metrics.horizontalAdvance(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current or not lines:
        lines.append(current)
    return lines


def _rows(line: ContentsLine, title: QFontMetricsF, detail: QFontMetricsF, width: float
          ) -> tuple[tuple[_Segment, ...], ...]:
    """The rows of one entry: the title wrapped; the detail after it on its last row when it fits, else on
    rows of its own."""
    rows: list[tuple[_Segment, ...]] = [((text, False),) for text in _wrap(title, line.title, width)]
    if line.detail:
        last = rows[-1][0][0]
        room = width - title.horizontalAdvance(last) - 8 * _U
        if detail.horizontalAdvance(line.detail) <= room:
            rows[-1] = ((last, False), (line.detail, True))
        else:
            rows += [((text, True),) for text in _wrap(detail, line.detail, width)]
    return tuple(rows)


def _height(line: ContentsLine, rows: int) -> float:
    return _FIRST_ROW[line.level] + (rows - 1) * _NEXT_ROW[line.level]


def _layout_contents(lines: Sequence[ContentsLine], rows: Sequence[tuple[tuple[_Segment, ...], ...]], top: float,
                     bottom: float) -> list[_Placed]:
    """Place entries on pages (points from the page top); a requirement never ends a page alone."""
    placed: list[_Placed] = []
    page, y = 0, top + 44.0  # the first page carries the "Contents" heading
    for i, line in enumerate(lines):
        height = _height(line, len(rows[i]))
        need = height
        if line.level == 0 and i + 1 < len(lines) and lines[i + 1].level == 1:
            need += _height(lines[i + 1], len(rows[i + 1]))
        if y + need > bottom and placed:
            page, y = page + 1, top
        placed.append(_Placed(page, y, line, rows[i]))
        y += height
    return placed


def _draw_contents(
    painter: QPainter,
    writer: QPdfWriter,
    paper: tuple[float, float],
    lines: Sequence[ContentsLine],
    cover_pages: int,
) -> int:
    top, bottom = _MARGIN_PT, paper[1] - _MARGIN_PT
    left, right = _MARGIN_PT * _U, (paper[0] - _MARGIN_PT) * _U
    number_width = 36 * _U
    fonts = {level: _font(11, bold=True) if level == 0 else _font(10) for level in (0, 1)}
    detail_font = _font(9)
    dm = QFontMetricsF(detail_font, writer)
    metrics = {level: QFontMetricsF(font, writer) for level, font in fonts.items()}

    def indent(line: ContentsLine) -> float:
        return left + (0 if line.level == 0 else 16 * _U)

    rows = [_rows(line, metrics[line.level], dm, right - number_width - indent(line)) for line in lines]
    placed = _layout_contents(lines, rows, top, bottom)
    pages = (placed[-1].page + 1) if placed else 1
    first_document_page = cover_pages + pages + 1

    painter.setPen(_INK)
    painter.setFont(_font(20, bold=True))
    painter.drawText(QPointF(left, (top + 20) * _U), "Contents")
    current = 0
    for item in placed:
        while item.page > current:
            writer.newPage()
            current += 1
        line = item.line
        title_font, tm = fonts[line.level], metrics[line.level]
        x = indent(line)
        baseline = (item.y + (16 if line.level == 0 else 12)) * _U
        end = x
        for r, row in enumerate(item.rows):
            if r:
                baseline += _NEXT_ROW[line.level] * _U
            end = x
            for text, is_detail in row:
                if is_detail and end > x:
                    end += 8 * _U
                painter.setFont(detail_font if is_detail else title_font)
                painter.setPen(_MUTED if is_detail else _INK)
                painter.drawText(QPointF(end, baseline), text)
                end += (dm if is_detail else tm).horizontalAdvance(text)
        number = "" if line.page is None else str(first_document_page + line.page)
        if number:  # on the entry's last row, after a dotted leader
            painter.setFont(title_font)
            painter.setPen(_INK)
            nw = tm.horizontalAdvance(number)
            painter.drawText(QPointF(right - nw, baseline), number)
            if right - nw - end > 24 * _U:
                pen = QPen(_RULE, 0.8 * _U)
                pen.setStyle(Qt.PenStyle.DotLine)
                painter.setPen(pen)
                painter.drawLine(QPointF(end + 6 * _U, baseline), QPointF(right - nw - 6 * _U, baseline))
    return pages


def _draw_stamp(painter: QPainter, writer: QPdfWriter, label: str) -> None:
    font = _font(_STAMP_PT)
    metrics = QFontMetricsF(font, writer)
    pad_x, pad_y = 4.0, 1.5
    width = math.ceil(metrics.horizontalAdvance(label) / _U + 2 * pad_x)
    height = math.ceil(metrics.height() / _U + 2 * pad_y)
    writer.setPageSize(_page_size(width, height))
    writer.newPage()
    painter.setPen(QPen(_RULE, 0.5 * _U))
    painter.setBrush(QColor("#ffffff"))
    half = 0.25 * _U
    painter.drawRoundedRect(QRectF(half, half, width * _U - 2 * half, height * _U - 2 * half), 2 * _U, 2 * _U)
    painter.setFont(font)
    painter.setPen(_INK)
    baseline = (height * _U - metrics.height()) / 2 + metrics.ascent()
    painter.drawText(QPointF(pad_x * _U, baseline), label)


_ARRAY = re.compile(rb"\[([^\]]*)\]")
_CHAR = re.compile(rb"^(<[0-9A-Fa-f]+>[ \t]+)<0009>(?=[ \t]*$)", re.MULTILINE)
_RANGE = re.compile(rb"^(<([0-9A-Fa-f]+)>[ \t]+<\2>[ \t]+)<0009>(?=[ \t]*$)", re.MULTILINE)


def fix_space_mapping(cmap: bytes) -> bytes:
    """Map the space glyph to U+0020 in a ToUnicode CMap written by Qt.

    Qt maps a glyph back to the first code point that uses it, and fonts draw TAB and SPACE with the same
    glyph, so every space would be extracted (searched, copied) as a TAB. The packet never draws a TAB.
    """
    cmap = _ARRAY.sub(lambda m: b"[" + m.group(1).replace(b"<0009>", b"<0020>") + b"]", cmap)
    cmap = _RANGE.sub(lambda m: m.group(1) + b"<0020>", cmap)
    return _CHAR.sub(lambda m: m.group(1) + b"<0020>", cmap)
