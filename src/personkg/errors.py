"""One error hierarchy; the CLI catches `PersonkgError` once and maps it to an exit code.

Exit codes (documented in the README): 0 success / conforms, 1 the data is wrong,
2 the command could not run (bad arguments, missing files, unreachable server).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PersonkgError", "DataError", "RunError", "SourceError"]


class PersonkgError(Exception):
    """Base class. `exit_code` says what the CLI returns; `hint` an optional next step;
    `option` the setting the error is about ("timeout", "param"), which the command line
    names as its own option (the library does not know its flags)."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None, *, option: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.option = option

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class RunError(PersonkgError):
    """The command could not run: missing directory, bad option, unreachable endpoint."""

    exit_code = 2


class DataError(PersonkgError):
    """The data is wrong: the user must change a record."""

    exit_code = 1


class SourceError(DataError):
    """A data error at a known place in a file: rendered `path:line: message`."""

    def __init__(self, path: Path | str, line: int | None, message: str, hint: str | None = None):
        self.path = Path(path)
        self.line = line
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {message}", hint)
