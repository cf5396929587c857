"""Errors users can act on, and the exit codes the CLI documents.

Every problem with the command line or the input data is raised as :class:`LossCliError`;
the CLI prints it as one ``losscli: error: …`` line on stderr and exits with ``code``.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_USAGE = 2


class LossCliError(Exception):
    """A usage or input error: ``message`` says what is wrong, ``hint`` how to fix it."""

    code = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message
