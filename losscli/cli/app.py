"""The Typer application: commands, ``--version``, and the one place errors become exit codes.

Every error leaves as one ``losscli: error: …`` line on stderr with exit code 2 (usage or
input), stdout untouched; ``--debug`` re-raises with the traceback. Exit 1 is reserved for
failed thresholds. A closed pipe (``losscli … | head``) ends quietly; a closed or full stdout
is an error like any other (:mod:`losscli.output`).
"""

from __future__ import annotations

import os
import sys
from typing import Any, Optional

import typer
from typer.core import TyperCommand, TyperGroup

from losscli import __version__
from losscli.errors import EXIT_USAGE, LossCliError
from losscli.output import reopen_closed_streams, write_stderr, write_stdout


class PipeClosed(Exception):
    """stdout's reader went away (``| head``): not an OSError, so Typer does not make it exit 1."""


def _help_option(option: Any) -> Any:
    """The ``--help`` flag (made per run), converting without pydantic and printing through
    :func:`write_stdout`, so a full or closed stdout is an error line, not a traceback."""
    from losscli.cli.coerce import install_one

    def show_help(ctx: Any, param: Any, value: bool) -> None:
        if value and not ctx.resilient_parsing:
            write_stdout(ctx.get_help() + "\n")
            ctx.exit()

    if option is not None:
        option.callback = show_help
    return install_one(option)


class LossCliCommand(TyperCommand):
    """A command whose ``--help`` flag converts without pydantic and writes like every report."""

    def get_help_option(self, ctx: Any) -> Any:
        return _help_option(super().get_help_option(ctx))

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:
            raise PipeClosed from exc


class LossCliGroup(TyperGroup):
    """Runs commands in non-standalone mode so that every failure is reported the same way."""

    def get_help_option(self, ctx: Any) -> Any:
        return _help_option(super().get_help_option(ctx))

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        from losscli.cli.coerce import install

        args = list(sys.argv[1:] if args is None else args)
        install(self)  # option values without pydantic (Typer 0.2x would import it for every run)
        debug, args = self._take_debug(args)
        try:
            code = super().main(args=args, prog_name=prog_name or "losscli", complete_var=complete_var,
                                standalone_mode=False, **extra)
            code = code if isinstance(code, int) else 0
        except LossCliError as exc:
            if debug:
                _traceback()
            code = _fail(str(exc), exc.code)
        except (BrokenPipeError, PipeClosed):
            _silence_stdout()
            code = 0
        except KeyboardInterrupt:
            code = 130
        except Exception as exc:  # click's usage errors have these two attributes, whatever click is vendored
            if debug:
                _traceback()
            if type(exc).__name__ == "NoArgsIsHelpError":  # `losscli`, `losscli eval` alone: a usage line and a hint
                write_stderr(_short_usage(exc.ctx))  # type: ignore[attr-defined]
                code = EXIT_USAGE
            elif hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
                command = getattr(getattr(exc, "ctx", None), "command_path", "losscli")
                message = exc.format_message().replace("Value error, ", "")
                code = _fail(f"{message} (see '{command} --help')", EXIT_USAGE)
            elif type(exc).__name__ == "Abort":
                code = 130
            else:
                code = _fail(f"internal error: {type(exc).__name__}: {exc}; rerun with --debug for a traceback", 3)
        if standalone_mode:
            sys.exit(code)
        return code

    def _take_debug(self, args: list[str]) -> tuple[bool, list[str]]:
        """``--debug`` wherever it stands as an option (before or after the command), taken out of ``args``;
        a ``--debug`` that is another option's value (``--label --debug``) or follows ``--`` stays."""
        takes_value = {opt for command in (self, *self.commands.values()) for param in command.params
                       if getattr(param, "param_type_name", "") == "option" and not getattr(param, "is_flag", False)
                       and not getattr(param, "count", False) for opt in param.opts}
        kept: list[str] = []
        debug = value_next = False
        for i, arg in enumerate(args):
            if value_next:
                value_next = False
            elif arg == "--":
                kept.extend(args[i:])
                break
            elif arg == "--debug":
                debug = True
                continue
            else:
                value_next = arg in takes_value
            kept.append(arg)
        return debug, kept


def _traceback() -> None:
    """``--debug``: the traceback on stderr; the exit code stays the error's own (never 1, a failed gate's)."""
    import traceback

    write_stderr(traceback.format_exc())


def _fail(message: str, code: int) -> int:
    write_stderr(f"losscli: error: {' '.join(message.split())}\n")
    return code


def _silence_stdout() -> None:
    """After EPIPE, point stdout at /dev/null so the interpreter's final flush stays quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


FIRST_STEPS = {  # what a command given nothing says to try
    "losscli": "losscli eval PRED [TARGET] --loss mse   ('losscli list' shows every loss)",
    "losscli eval": "losscli eval PRED [TARGET] --loss mse",
    "losscli compare": "losscli compare BASELINE CANDIDATE --target TARGET --loss mse",
}


def _short_usage(ctx: Any) -> str:
    """``Usage: …`` and where to go next, for a command given no arguments (not the whole help)."""
    path = ctx.command_path
    lines = [ctx.get_usage()]
    if path in FIRST_STEPS:
        lines.append(f"Try: {FIRST_STEPS[path]}")
    lines.append(f"Run '{path} --help' for every option" + (" and command." if path == "losscli" else "."))
    return "\n".join(lines) + "\n"


app = typer.Typer(
    cls=LossCliGroup,
    name="losscli",
    help="Evaluate model outputs against targets with PyTorch, Keras and scikit-learn losses.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        write_stdout(f"losscli {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def root(
    version: Optional[bool] = typer.Option(None, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show a traceback on errors."),
) -> None:
    """Evaluate model outputs against targets with PyTorch, Keras and scikit-learn losses.

    Exit codes: 0 success, 1 a threshold failed, 2 a usage or input error.
    """


def _register_commands() -> None:
    from losscli.cli import catalog_cmd, check_cmd, compare_cmd, eval_cmd

    app.command("eval", cls=LossCliCommand, no_args_is_help=True)(eval_cmd.eval_command)
    app.command("compare", cls=LossCliCommand, no_args_is_help=True)(compare_cmd.compare_command)
    app.command("check", cls=LossCliCommand)(check_cmd.check_command)
    app.command("list", cls=LossCliCommand)(catalog_cmd.list_command)
    app.command("info", cls=LossCliCommand)(catalog_cmd.info_command)


_register_commands()


def main() -> None:
    """Console-script entry point (and ``python -m losscli``).

    The process ends with ``os._exit`` once stdout and stderr are flushed: a pyarrow IO thread
    can still drop the last reference to a Python file object while the interpreter shuts down,
    which aborts the process after the output is complete (apache/arrow#34314; about 1 CSV
    run in 200 on a busy machine). A closed stdout (``>&-``) is an error before anything runs.
    """
    from typer.main import get_command

    # Chunks are cache-sized: BLAS threads would only spin beside the pass (and slow the next
    # NumPy call by half); a user's own setting wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if reopen_closed_streams():
        code = _fail("standard output is closed, so the output has nowhere to go; redirect it to a file or /dev/null", EXIT_USAGE)
    else:
        code = get_command(app).main(standalone_mode=False)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # a closed pipe, a stream closed from the start: nothing can reach it
            pass
    os._exit(code if isinstance(code, int) else 0)
