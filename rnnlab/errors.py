"""The exception types for problems a user can fix: the base of every layer.

The CLI prints the message as a single line and exits with code 2; a traceback is shown only
with `--debug`. Messages say what was wrong and what to do. A library error about one parameter
names the parameter (`ensemble must be at least 1`); the CLI shows the same message with the
flag that sets it (`--ensemble must be at least 1`).
"""

import numbers


class RnnlabError(Exception):
    """Bad input or a bad option: one line saying what was wrong and what to do."""


class ParameterError(RnnlabError, ValueError):
    """A bad value for one parameter. `message` holds `{name}` where the parameter is named:
    Python callers read the parameter's name, the CLI its flag (`flag_message`)."""

    def __init__(self, name: str, message: str):
        self.name, self.template = name, message
        super().__init__(message.format(name=name))

    def flag_message(self) -> str:
        return self.template.format(name="--" + self.name.replace("_", "-"))


class ParametersError(ParameterError):
    """A bad value among several parameters ("{epochs} must be >= 1 and {lr} > 0"): `template`
    holds `{epochs}`, `{lr}`, ... where each is named; `name` is the one at fault (the first
    named, when not told)."""

    def __init__(self, template: str, names: tuple[str, ...], name: str | None = None):
        self.names, self.template, self.name = tuple(names), template, name or names[0]
        RnnlabError.__init__(self, template.format(**{n: n for n in self.names}))

    def flag_message(self) -> str:
        return self.template.format(**{n: "--" + n.replace("_", "-") for n in self.names})


def literal(value: object) -> str:
    """`value` as text inside a ParameterError template: its braces doubled, so that a series id,
    a path or a bad value such as "{x}" is shown as it is, not taken for a parameter's place."""
    return str(value).replace("{", "{{").replace("}", "}}")


def shown(value: object) -> str:
    """`value` inside a message template: a string quoted, braces kept literal."""
    return literal(repr(value) if isinstance(value, str) else value)


def is_whole(value: object, least: int | None = None) -> bool:
    """An integer of any kind (numpy's too) but not a bool, and at least `least` when given."""
    whole = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    return whole and (least is None or value >= least)


def is_real(value: object) -> bool:
    """A real number of any kind (numpy's too), but not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def printable(text: object) -> str:
    """`text` fit for a one-line message: tabs, line breaks and other control characters, which
    a file's own text can hold, escaped as Python writes them."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
