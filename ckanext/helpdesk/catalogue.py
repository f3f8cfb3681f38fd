"""Marking text for the translation catalogue without translating it yet.

Some English text is stored or configured before anyone reads it (the
reason a first post is held, the default categories): it is marked with
N_ where it is written, so that Babel extracts it (N_ is one of Babel's
default keywords), and translated with tk._ where it is shown, in the
reader's language.
"""


def N_(message: str) -> str:
    """`message` unchanged: only marked for the catalogue."""
    return message
