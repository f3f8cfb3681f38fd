"""What text the help desk stores: bounded in length, and without the
characters that would break it later. PostgreSQL refuses NUL in text;
XML 1.0 (Atom feeds, Open311 XML) cannot carry the other C0 control
characters nor lone surrogates (which JSON can spell, as \\ud800). Tab,
newline and carriage return are text in multi-line fields only.
"""
from __future__ import annotations

import re

import ckan.plugins.toolkit as tk

ID_LENGTH = 100  # CKAN's names are at most 100 characters, ids 36
_UNFIT = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
UNFIT_MULTILINE = re.compile(f"[{_UNFIT}]")
UNFIT_LINE = re.compile(f"[{_UNFIT}\t\n\r]")


def problem(value: str, length: int, multiline: bool = False) -> str | None:
    """Why `value` (a str) cannot be stored, or None."""
    unfit = UNFIT_MULTILINE if multiline else UNFIT_LINE
    if unfit.search(value):
        return tk._("Must not contain control characters")
    if len(value) > length:
        return tk._("Must be at most {0} characters long").format(length)
    return None
