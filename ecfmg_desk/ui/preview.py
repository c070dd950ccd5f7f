"""A zoomable page preview, rendered in memory from the decrypted bytes (QtPdf is not installed).

Pages are rendered by ``vault.inspect.render_page`` on a worker thread, so a 40-page PDF never freezes the
window, and nothing decrypted is ever written to a temporary file (UX.md principle 8).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QKeySequence, QPaintEvent, QPixmap, QResizeEvent, QShortcut, QWheelEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget
from shiboken6 import isValid

from ecfmg_desk.core.model import Document, FileInfo
from ecfmg_desk.ui.view import PacketView
from ecfmg_desk.ui.widgets import ElidedLabel, muted, plain_label, tool_button, wrapping

ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0)


class _Scroll(QScrollArea):
    """Ctrl + wheel zooms; a plain wheel scrolls."""

    def __init__(self, pane: PreviewPane) -> None:
        super().__init__(pane)
        self._pane = pane

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._pane.zoom_by(1 if event.angleDelta().y() > 0 else -1)
            event.accept()
        else:
            super().wheelEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._pane.relayout()


class PreviewPane(QWidget):
    def __init__(self, session: PacketView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._pages: list[tuple[FileInfo, int]] = []
        self._position = 0
        self._image = QImage()
        self._zoom: float | None = None  # None = fit to width
        self._request = 0
        self._painted = False
        self._pending: tuple[FileInfo, int, int] | None = None
        """A render asked for before the pane first painted: it starts then, so the window shows first."""
        self._document_id: str | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.caption = ElidedLabel(self.tr("Preview"), self)
        font = self.caption.font()
        font.setBold(True)
        self.caption.setFont(font)
        self.caption.setContentsMargins(10, 8, 10, 0)
        layout.addWidget(self.caption)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 0, 6, 0)
        bar.setSpacing(2)
        self.previous_button = tool_button("previous", self.tr("Previous page"), self)
        self.page_label = plain_label("", self)
        self.page_label.setAccessibleName(self.tr("Page number"))
        self.next_button = tool_button("next", self.tr("Next page"), self)
        self.zoom_out_button = tool_button("zoom-out", self.tr("Zoom out"), self)
        self.fit_button = tool_button("zoom-fit", self.tr("Fit to width"), self)
        self.zoom_in_button = tool_button("zoom-in", self.tr("Zoom in"), self)
        bar.addWidget(self.previous_button)
        bar.addWidget(self.page_label)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        for button in (self.zoom_out_button, self.fit_button, self.zoom_in_button):
            bar.addWidget(button)
        layout.addLayout(bar)

        self.scroll_area = _Scroll(self)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll_area.setAccessibleName(self.tr("Page preview"))
        self.image_label = QLabel(self.scroll_area)
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_label.setAccessibleName(self.tr("Page preview image"))
        self.scroll_area.setWidget(self.image_label)
        self.scroll_area.setWidgetResizable(False)
        layout.addWidget(self.scroll_area, 1)
        self.empty_label = muted(wrapping(self.tr("Attach a document to see its pages here."), self))
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty_label, 1)

        self.previous_button.clicked.connect(lambda: self.go(self._position - 1))
        self.next_button.clicked.connect(lambda: self.go(self._position + 1))
        self.zoom_in_button.clicked.connect(lambda: self.zoom_by(1))
        self.zoom_out_button.clicked.connect(lambda: self.zoom_by(-1))
        self.fit_button.clicked.connect(self.fit)
        for keys, action in ((QKeySequence.StandardKey.ZoomIn, lambda: self.zoom_by(1)),
                             (QKeySequence.StandardKey.ZoomOut, lambda: self.zoom_by(-1))):
            shortcut = QShortcut(keys, self.scroll_area)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)
        self.clear()

    # -- what to show -----------------------------------------------------------------------------------

    def clear(self) -> None:
        self._pages = []
        self._document_id = None
        self._image = QImage()
        self._request += 1
        self.image_label.clear()
        self.page_label.clear()
        self.caption.set_full_text(self.tr("Preview"))
        self.scroll_area.hide()
        self.empty_label.show()
        self._update_buttons()

    @property
    def document_id(self) -> str | None:
        return self._document_id

    def show_document(self, document: Document, position: int = 0) -> None:
        """Show ``document``'s pages (all its files, in order), starting at page ``position``."""
        self._document_id = document.id
        self._pages = [(info, index) for info in document.files for index in range(len(info.pages))]
        if not self._pages:
            self.clear()
            return
        self.scroll_area.show()
        self.empty_label.hide()
        self.go(position)

    def go(self, position: int) -> None:
        if not self._pages:
            return
        self._position = max(0, min(position, len(self._pages) - 1))
        info, index = self._pages[self._position]
        self._request += 1
        request = self._request
        self.caption.set_full_text(info.name)
        self.page_label.setText(self.tr("Page {n} of {total}").format(n=self._position + 1, total=len(self._pages)))
        self._update_buttons()
        if not self._painted:  # rendering needs the PDF libraries (~0.3 s to import): not before the window shows
            self._pending = (info, index, request)
            return
        self._render(info, index, request)

    def _render(self, info: FileInfo, index: int, request: int) -> None:
        self.session.render_page(info, index, lambda image: self._rendered(request, image),
                                 lambda message: self._failed(request, message))

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            pending, self._pending = self._pending, None
            if pending is not None and pending[2] == self._request:
                self._render(*pending)

    def _rendered(self, request: int, image: QImage) -> None:
        # A render can finish after the pane was closed (its window shut while the worker drew): drop it.
        if not isValid(self) or request != self._request:
            return  # the user moved on
        self._image = image
        self.relayout()

    def _failed(self, request: int, message: str) -> None:
        if isValid(self) and request == self._request:
            self._image = QImage()
            self.image_label.setText(message)
            self.image_label.adjustSize()

    def _update_buttons(self) -> None:
        has = bool(self._pages)
        for button in (self.previous_button, self.next_button, self.zoom_in_button, self.zoom_out_button,
                       self.fit_button):
            button.setVisible(has)
        self.page_label.setVisible(has)
        self.previous_button.setEnabled(has and self._position > 0)
        self.next_button.setEnabled(has and self._position < len(self._pages) - 1)
        for button in (self.zoom_in_button, self.zoom_out_button, self.fit_button):
            button.setEnabled(has)

    # -- zoom -------------------------------------------------------------------------------------------

    def zoom_by(self, steps: int) -> None:
        current = self._effective_zoom()
        if steps > 0:
            bigger = [z for z in ZOOM_STEPS if z > current + 0.01]
            self._zoom = bigger[0] if bigger else ZOOM_STEPS[-1]
        else:
            smaller = [z for z in ZOOM_STEPS if z < current - 0.01]
            self._zoom = smaller[-1] if smaller else ZOOM_STEPS[0]
        self.relayout()

    def fit(self) -> None:
        self._zoom = None
        self.relayout()

    def _effective_zoom(self) -> float:
        if self._zoom is not None or self._image.isNull():
            return self._zoom or 1.0
        available = max(50, self.scroll_area.viewport().width() - 16)
        return available / max(1, self._image.width())

    def relayout(self) -> None:
        if self._image.isNull():
            return
        zoom = self._effective_zoom()
        ratio = self.devicePixelRatioF()
        size = QSize(max(1, round(self._image.width() * zoom)), max(1, round(self._image.height() * zoom)))
        pixmap = QPixmap.fromImage(self._image.scaled(size * ratio, Qt.AspectRatioMode.KeepAspectRatio,
                                                      Qt.TransformationMode.SmoothTransformation))
        pixmap.setDevicePixelRatio(ratio)
        self.image_label.setPixmap(pixmap)
        self.image_label.resize(size)

    def sizeHint(self) -> QSize:
        return QSize(420, 600)

    def zoom_percent(self) -> int:
        return round(self._effective_zoom() * 100)
