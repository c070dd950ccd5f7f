"""Small widgets the pages share: the date field (:mod:`ecfmg_desk.ui.datefield`), the drop zone, status badges,
labels.

Nothing here knows about ECFMG rules; they only show and collect values.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMimeData, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QFont,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ecfmg_desk.ui import icons
from ecfmg_desk.ui.datefield import DateField as DateField  # (where the pages have always found it)
from ecfmg_desk.ui.words import plain_tooltip


class RedrawWhenShown:
    """For a page that is slow to redraw: while it is hidden a change only marks it stale (imports stay
    smooth), and it redraws when shown. The page calls :meth:`due` first thing in its ``refresh`` and
    :meth:`shown` from its ``showEvent``."""

    def __init__(self, page: QWidget, redraw: Callable[[], None]) -> None:
        self._page = page
        self._redraw = redraw
        self.stale = True

    def due(self) -> bool:
        """Whether to redraw now; ``False`` (noted for later) while the page is hidden."""
        if not self._page.isVisible():
            self.stale = True
            return False
        self.stale = False
        return True

    def shown(self) -> None:
        if self.stale:
            self._redraw()


# --------------------------------------------------------------------------------------------- labels


def muted(label: QLabel) -> QLabel:
    """Secondary text: the palette's placeholder colour, which Qt keeps readable in light and dark themes."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText))
    label.setPalette(palette)
    if label.textFormat() == Qt.TextFormat.AutoText:
        label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that shows its text as text, whatever it contains (names, file names, comments: DESIGN §9)."""
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def wrapping(text: str = "", parent: QWidget | None = None, *, selectable: bool = False) -> QLabel:
    """A word-wrapping label, plain text (callers that build markup escape it and set rich text themselves)."""
    label = plain_label(text, parent)
    label.setWordWrap(True)
    policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    # as tall as its text wrapped at the width it gets: a new policy drops the height-for-width that word wrap
    # set (Qt sets it again at the next setText, so only labels whose text never changes, like a question's,
    # were laid out one wrap too short and drawn cut at the top and bottom)
    policy.setHeightForWidth(True)
    label.setSizePolicy(policy)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def heading(text: str, level: int = 1, parent: QWidget | None = None) -> QLabel:
    """A bold heading scaled from the system font (never a hard-coded size)."""
    label = plain_label(text, parent)
    font = QFont(label.font())
    font.setBold(True)
    scale = {1: 1.55, 2: 1.2, 3: 1.0}.get(level, 1.0)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    label.setWordWrap(True)
    label.setAccessibleName(text)
    return label


class StatusBadge(QWidget):
    """An icon and a word side by side (status is never colour alone)."""

    def __init__(self, parent: QWidget | None = None, *, size: int = 18) -> None:
        super().__init__(parent)
        self._size = size
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.icon_label = QLabel(self)
        self.icon_label.setFixedSize(size, size)
        self.word_label = plain_label("", self)
        font = QFont(self.word_label.font())
        font.setBold(True)
        self.word_label.setFont(font)
        layout.addWidget(self.icon_label)
        layout.addWidget(self.word_label)

    def set_status(self, icon_name: str, word: str) -> None:
        self.icon_label.setPixmap(icons.pixmap(icon_name, self._size, self.devicePixelRatioF()))
        self.word_label.setText(word)
        self.setAccessibleName(word)
        self.icon_label.setAccessibleName(word)

    def text(self) -> str:
        return self.word_label.text()


def icon_button(name: str, text: str, parent: QWidget | None = None, *, tooltip: str = "") -> QPushButton:
    button = QPushButton(icons.icon(name), text, parent)
    button.setAccessibleName(text.replace("…", "").replace("&", "") if text else tooltip)
    if tooltip:
        button.setToolTip(tooltip)
    return button


def tool_button(name: str, accessible_name: str, parent: QWidget | None = None) -> QToolButton:
    """An icon-only button; its accessible name and tooltip say what it does."""
    button = QToolButton(parent)
    button.setIcon(icons.icon(name))
    button.setIconSize(QSize(18, 18))
    button.setAutoRaise(True)
    button.setToolTip(accessible_name)
    button.setAccessibleName(accessible_name)
    return button


# --------------------------------------------------------------------------------------------- drop zone


def local_paths(mime: QMimeData) -> list[Path]:
    """Local files in a drag (URLs of other kinds, e.g. from a browser, are ignored)."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]


class DropZone(QFrame):
    """Where scans are dropped: teaches what to scan when empty, shrinks to one line once a document exists."""

    files_dropped = Signal(list)
    browse_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setAcceptDrops(True)
        self._hover = False
        self.setAccessibleName(self.tr("Drop zone for document files"))
        outer = self._outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 16)
        outer.setSpacing(8)

        self.big = QWidget(self)
        big = QVBoxLayout(self.big)
        big.setContentsMargins(0, 0, 0, 0)
        big.setSpacing(6)
        self.icon_label = QLabel(self.big)
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.title_label = heading(self.tr("Drop your scan here"), 2, self.big)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.what_label = wrapping("", self.big)
        self.what_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.accepted_label = muted(wrapping(self.tr(
            "Accepted: PDF, JPEG, PNG or TIFF. Several files at once become the pages of one document, in order.\n"
            "A good scan is in colour, shows every page and every signature and stamp, and is not cropped."), self.big))
        self.accepted_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        for label in (self.what_label, self.accepted_label):
            label.setMinimumWidth(360)  # see RequirementPage: keeps the minimum height realistic
        big.addWidget(self.icon_label)
        big.addWidget(self.title_label)
        big.addWidget(self.what_label)
        big.addWidget(self.accepted_label)

        row = QHBoxLayout()
        row.addStretch(1)
        self.small_label = QLabel(self.tr("Drop more files here, or"), self)
        self.browse_button = icon_button("open", self.tr("Browse…"), self)
        self.browse_button.setAccessibleName(self.tr("Browse for files to attach"))
        self.browse_button.clicked.connect(self.browse_requested)
        row.addWidget(self.small_label)
        row.addWidget(self.browse_button)
        row.addStretch(1)
        outer.addWidget(self.big)
        outer.addLayout(row)
        self.set_compact(False)

    def set_text(self, what_to_scan: str, *, kinds: tuple[str, ...] = (), photo: bool = False) -> None:
        """What to scan; the accepted file types (``kinds``: the requirement's, all four when empty); the tip
        for a good scan, or for a good photograph (a photo has no pages, signatures or stamps)."""
        self.what_label.setText(what_to_scan)
        self.what_label.setVisible(bool(what_to_scan))
        names = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG", "tiff": "TIFF"}
        shown = [names[k] for k in names if k in kinds] or list(names.values())
        accepted = ", ".join(shown[:-1]) + self.tr(" or ") + shown[-1] if len(shown) > 1 else shown[0]
        if photo:
            tip = self.tr("A good photograph is recent, in colour, shows your face clearly and is not cropped.")
            lines = self.tr("Accepted: {kinds}.").format(kinds=accepted)
        else:
            tip = self.tr("A good scan is in colour, shows every page and every signature and stamp, and is not "
                          "cropped.")
            lines = self.tr("Accepted: {kinds}. Several files at once become the pages of one document, in "
                            "order.").format(kinds=accepted)
        self.accepted_label.setText(lines + "\n" + tip)

    def set_compact(self, compact: bool) -> None:
        margins = (14, 6, 14, 6) if compact else (20, 16, 20, 16)
        self._outer.setContentsMargins(*margins)
        self.big.setVisible(not compact)
        self.small_label.setVisible(compact)
        if not compact:
            self.icon_label.setPixmap(icons.pixmap("drop", 40, self.devicePixelRatioF()))

    def _set_hover(self, hover: bool) -> None:
        if hover != self._hover:
            self._hover = hover
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        """A dashed, rounded outline in the palette's colours (the highlight colour while files hover)."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        role = QPalette.ColorRole.Highlight if self._hover else QPalette.ColorRole.Mid
        pen = QPen(self.palette().color(role), 2, Qt.PenStyle.DashLine)
        pen.setDashPattern([4.0, 3.0])
        painter.setPen(pen)
        if self._hover:
            fill = self.palette().color(QPalette.ColorRole.Highlight)
            fill.setAlpha(24)
            painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 10, 10)
        painter.end()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths(event.mimeData()):
            event.acceptProposedAction()
            self._set_hover(True)
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_hover(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_hover(False)
        paths = local_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files_dropped.emit(paths)


class ElidedLabel(QLabel):
    """One line of text that ends in "…" when it does not fit (the full text is in the tooltip)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(plain_tooltip(text))
        self.setAccessibleName(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def _elide(self) -> None:
        width = max(10, self.contentsRect().width())
        super().setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle, width))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()


def hline(parent: QWidget | None = None) -> QFrame:
    line = QFrame(parent)
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def own_viewport(area: QAbstractScrollArea) -> QWidget:
    """``area``'s viewport, found by the name Qt gives it. Asked for with ``viewport()``, PySide cannot tell the
    type of a plain widget it did not make and looks through every QtWidgets class to find it: ~9 ms, once,
    which the first such call used to pay before the window's first paint. Found as a ``QWidget`` child, it
    is wrapped at once (and ``viewport()`` is free from then on)."""
    found = area.findChild(QWidget, "qt_scrollarea_viewport", Qt.FindChildOption.FindDirectChildrenOnly)
    return found if found is not None else area.viewport()
