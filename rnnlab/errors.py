"""The one exception type for problems a user can fix.

The CLI prints its message as a single line and exits with code 2; a traceback is shown only
with `--debug`. Messages say what was wrong and what to do.
"""


class RnnlabError(Exception):
    """Bad input or a bad option: one line saying what was wrong and what to do."""


def printable(text: object) -> str:
    """`text` fit for a one-line message: tabs, line breaks and other control characters, which
    a file's own text can hold, escaped as Python writes them."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
