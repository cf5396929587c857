"""Markdown tables (GitHub-flavoured), fit for a pull-request comment."""

from __future__ import annotations

def table_md(header: list[str], rows: list[list[str]], right: range | tuple[int, ...] = ()) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|") if text else " "

    lines = ["| " + " | ".join(cell(h) for h in header) + " |",
             "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
