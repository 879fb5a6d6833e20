"""Errors whose message is shown to the user as is (Simplified Chinese)."""


class AppError(Exception):
    """A failure the user can understand and act on; str(err) is the Chinese message."""


class PermissionDenied(AppError):
    pass


class ValidationError(AppError):
    """One or more problems with user input; `problems` lists them individually."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = problems or []
