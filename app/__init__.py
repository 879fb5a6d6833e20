"""履职考评 — offline work-log, review and staffing-evaluation desktop program."""

__version__ = "0.1.0"
APP_NAME = "履职考评"
