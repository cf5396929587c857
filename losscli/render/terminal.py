"""The rich console every text table is drawn on: as wide as the terminal, and no markup from data.

Registry text and file contents hold brackets (``[eps, 1 − eps]``, ``weight=[1,2]``) that rich
would read as markup, so markup and emoji codes are off; columns fold long cells instead of
cutting them, so a loss spec is always shown whole. The width is ``$COLUMNS`` when set, else
the terminal's, else 80.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

DEFAULT_WIDTH = 80
MIN_WIDTH = 20


def terminal_width() -> int:
    """Columns to draw in: ``$COLUMNS``, the terminal of stdout, or 80."""
    text = os.environ.get("COLUMNS", "")
    if text.isdigit() and int(text) >= MIN_WIDTH:
        return int(text)
    try:
        return max(MIN_WIDTH, os.get_terminal_size(sys.stdout.fileno()).columns)
    except (OSError, ValueError, AttributeError):  # not a terminal, or no stdout to ask
        return DEFAULT_WIDTH


def text_console(file: IO[str], color: bool) -> Any:
    """A rich Console writing to ``file`` at the terminal's width, colour only when ``color``."""
    from rich.console import Console

    return Console(file=file, force_terminal=color, no_color=not color, width=terminal_width(), highlight=False,
                   markup=False, emoji=False)


def folding_table(title: str) -> Any:
    """A rich Table whose title is plain text (data can hold brackets)."""
    from rich.table import Table
    from rich.text import Text

    return Table(title=Text(title), title_justify="left")
