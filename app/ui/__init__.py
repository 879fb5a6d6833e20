"""PySide6 user interface. The only package allowed to import Qt or pyqtgraph."""
