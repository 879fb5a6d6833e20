"""Dialog base that remembers its size and position per dialog (Picard's PreserveGeometry)."""
from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from app.core.errors import AppError, ValidationError
from app.settings import Settings


class PreservingDialog(QDialog):
    geometry_name = ""

    def __init__(self, settings: Settings | None, parent: QWidget | None = None):
        super().__init__(parent)
        self._settings = settings

    def restore_geometry(self) -> None:
        saved = self._settings.geometry(self.geometry_name or type(self).__name__) if self._settings else None
        if saved:
            self.restoreGeometry(QByteArray.fromBase64(saved.encode()))

    def done(self, result: int) -> None:
        if self._settings is not None:
            data = bytes(self.saveGeometry().toBase64()).decode()
            self._settings.set_geometry(self.geometry_name or type(self).__name__, data)
        super().done(result)


def show_error(parent: QWidget | None, title: str, exc: BaseException) -> None:
    """A Chinese message for expected failures; the crash hook handles the unexpected ones."""
    if isinstance(exc, ValidationError) and exc.problems:
        box = QMessageBox(QMessageBox.Icon.Warning, title, str(exc).splitlines()[0], parent=parent)
        box.setInformativeText("\n".join(str(p) for p in exc.problems[:20])
                               + (f"\n……共{len(exc.problems)}处" if len(exc.problems) > 20 else ""))
        if len(exc.problems) > 20:
            box.setDetailedText("\n".join(str(p) for p in exc.problems))
        box.exec()
    elif isinstance(exc, AppError):
        QMessageBox.warning(parent, title, str(exc))
    else:
        raise exc
