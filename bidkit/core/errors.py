"""One error hierarchy for the whole package.

Every error bidkit raises on purpose is a :class:`BidkitError`. The CLI turns it into one line on stderr and the
exit code of its class; anything else is a bug and gets a short message (traceback only with ``--verbose``).
Messages must never contain prices, internal cost or passphrases.
"""

from __future__ import annotations


class BidkitError(Exception):
    """Base class; ``exit_code`` is what the CLI returns."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def lines(self) -> list[str]:
        return [self.message]


class InputError(BidkitError):
    """A file the user gave (YAML, template, attachment, sheet) is wrong."""

    exit_code = 3


class ValidationFailed(InputError):
    """Several problems found at once; each is one ``file:line field.path: problem`` line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        n = len(problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} found")

    def lines(self) -> list[str]:
        return list(self.problems)


class TemplateError(InputError):
    """A template cannot be rendered (syntax, undefined variable, sandbox violation)."""


class LockedError(BidkitError):
    """The price lock is closed: no QA approval matches the current inputs."""

    exit_code = 4


class ToolError(BidkitError):
    """An outside tool (LibreOffice, fonts, ...) is missing or failed."""

    exit_code = 5


class IntegrityError(BidkitError):
    """A signature, approval, audit log or package does not verify."""

    exit_code = 6


class SecretError(BidkitError):
    """A passphrase or key is wrong, missing or given in an unsafe way."""

    exit_code = 7


class OutputError(BidkitError):
    """An output cannot be written (exists already, disk full, permission, busy)."""

    exit_code = 8


class StateError(BidkitError):
    """An action is not allowed in the project's current stage (order of acceptance, payment, ...)."""

    exit_code = 9


class CheckFailed(BidkitError):
    """Validity checks found fatal problems (``details``: one line each, printed before the message)."""

    exit_code = 10

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.details = list(details or [])

    def lines(self) -> list[str]:
        return self.details or [self.message]


class ChecksIncomplete(BidkitError):
    """``bidkit check`` could not run every rule (the price rules need the approval and the passphrase)."""

    exit_code = 11


class PackageInvalid(IntegrityError):
    """``bidkit verify`` found a package changed, unsigned, untrusted or a draft; one line per finding."""

    def __init__(self, subject: str, problems: list[str]) -> None:
        self.problems = [f"{subject}: {p}" for p in problems]
        n = len(problems)
        super().__init__(self.problems[0] if n == 1 else f"{subject}: does not verify ({n} problems)")

    def lines(self) -> list[str]:
        return list(self.problems)
