"""Diagnostics are values: every stage returns them, the CLI prints them once."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str  # path relative to the content dir, POSIX separators
    line: int  # 1-based; 0 when the problem concerns the whole file
    field: str  # dotted field path, e.g. "absent.0.person"; "" for the whole record
    message: str  # Chinese, for the editor
    severity: Severity = Severity.ERROR
    detail: str = ""  # the underlying tool's own words (English), shown with -v

    def __str__(self) -> str:
        return self.text()

    def text(self, verbose: bool = False) -> str:
        """One line, always: control characters in file names, keys or quoted text are escaped."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        label = "" if self.severity is Severity.ERROR else "警告: "
        field = f"{self.field}: " if self.field else ""
        detail = f" [{self.detail}]" if verbose and self.detail else ""
        return visible(f"{where}: {label}{field}{self.message}{detail}")

    def plain(self) -> tuple[str, int, str, str, str, str]:
        """As plain values (for caches that store only those)."""
        return (self.file, self.line, self.field, self.message, self.severity.value, self.detail)

    @classmethod
    def from_plain(cls, values: tuple[Any, ...]) -> Diagnostic:
        file, line, field, message, severity, detail = values
        return cls(file, line, field, message, Severity(severity), detail)


_CONTROL = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def visible(text: str) -> str:
    """User text for a one-line message: control characters shown escaped (\\n, \\t, \\x1b)."""
    return "".join(
        _CONTROL.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 else ch) for ch in text
    )


def quoted(text: str) -> str:
    """User text quoted for a message: “…”, one line."""
    return f"“{visible(text)}”"


def error(file: str, line: int, field: str, message: str, detail: str = "") -> Diagnostic:
    return Diagnostic(file, line, field, message, Severity.ERROR, detail)


def warning(file: str, line: int, field: str, message: str) -> Diagnostic:
    return Diagnostic(file, line, field, message, Severity.WARNING)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)
