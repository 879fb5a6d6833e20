"""GUI start-up: application, fonts, crash hook, first-run wizard or database, login, main window."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app import APP_NAME
from app.core.errors import AppError, NetworkDatabase
from app.paths import data_dir, default_db_path, resources_dir
from app.settings import Settings
from app.db.engine import is_network_path
from app.db.faults import DatabaseFault
from app.demo.unit import generate_demo
from app.ui.crash import install_crash_hook, setup_logging
from app.ui.opening import open_or_restore, say
from app.ui.dialogs.first_run_wizard import FirstRunWizard

log = logging.getLogger(__name__)


def ensure_cjk_font(app: QApplication) -> None:
    """Use the bundled CJK font when the system has none (bare Linux), so Chinese never shows
    as boxes. Windows and UOS/Kylin have system CJK fonts and keep their native look."""
    if QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese):
        return
    # imported here: reportlab (~0.2 s), only on a system without a CJK font
    from app.reports.typeset.fonts import bundled_font_path
    font_id = QFontDatabase.addApplicationFont(str(bundled_font_path()))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if families:
        app.setFont(QFont(families[0], 10))
    else:
        log.warning("no CJK font found; Chinese text may not render")


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("LvzhiKaoping")
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    _install_qt_translation(app)
    ensure_cjk_font(app)
    return app


def _install_qt_translation(app: QApplication) -> bool:
    """Chinese texts for Qt's own widgets (file dialogs' 查找范围/文件类型, standard buttons,
    calendar, colour dialog): qtbase_zh_CN.qm from the PySide6 wheel. Qt's configured folder
    first; then the wheel's own folder, in case a frozen build reports another prefix."""
    import PySide6
    folders = (QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
               str(Path(PySide6.__file__).parent / "Qt" / "translations"))
    loaded = False
    for folder in folders:
        translator = QTranslator(app)
        if translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", folder):
            app.installTranslator(translator)
            loaded = True
            break
        translator.deleteLater()
    else:
        log.warning("qtbase_zh_CN.qm not found in %s: Qt's own dialogs stay in English", folders)
    # Installed last, so searched first: the few texts qtbase_zh_CN.qm misses (the file
    # dialog's 查找范围/文件类型, issue 17), built from resources/translations/lzkp_qt_zh_CN.ts.
    extra = QTranslator(app)
    if extra.load(str(resources_dir() / "translations" / "lzkp_qt_zh_CN.qm")):
        app.installTranslator(extra)
    else:
        log.warning("resources/translations/lzkp_qt_zh_CN.qm missing: file dialogs half English")
    return loaded


def run_gui(db_path: Path | None = None, demo: bool = False) -> int:
    setup_logging()
    app = make_app()
    install_crash_hook()
    settings = Settings()
    if demo:
        db_path = db_path or data_dir() / "demo.sqlite"
        if not db_path.exists():
            generate_demo(db_path)
    path = Path(db_path or settings.last_db or default_db_path())
    try:
        db = _open_or_create(path, settings)
    except DatabaseFault as exc:
        say(QMessageBox.Icon.Critical, exc.title, str(exc))
        return 1
    except AppError as exc:        # NetworkDatabase among them: said with its own title
        say(QMessageBox.Icon.Critical, getattr(exc, "title", APP_NAME), str(exc))
        return 1
    if db is None:
        return 1
    settings.last_db = str(path)
    # imported here: the main window and its pages load after the login dialog, which shows sooner
    from app.ui.main_window import MainWindow
    from app.ui.session import Session
    session = Session(settings, window_class=MainWindow)
    if not session.start(db):
        return 0
    return app.exec()


def _open_or_create(path: Path, settings: Settings | None = None):
    if path.exists():
        return open_or_restore(path)
    if is_network_path(path):        # before the wizard: it could not create the file there
        raise NetworkDatabase(path)
    wizard = FirstRunWizard(path, settings=settings)
    if wizard.exec() != QDialog.DialogCode.Accepted:
        return None
    return wizard.db
