"""The one exception type for problems a user can fix.

The CLI prints its message as a single line and exits with code 2; a traceback is shown only
with `--debug`. Messages say what was wrong and what to do.
"""


class RnnlabError(Exception):
    """Bad input or a bad option: one line saying what was wrong and what to do."""
