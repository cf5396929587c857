"""The generated loss reference, ``docs/losses.md``: every registry entry with its declarations.

Regenerate with ``python -m losscli.render.reference > docs/losses.md``; a test fails when the
committed file differs from what the registry says.
"""

from __future__ import annotations

import sys

from losscli.registry import LossEntry, entries
from losscli.render.markdown import table_md
from losscli.render.numbers import format_params

FAMILIES = (("losscli", "Canonical losses"), ("torch", "PyTorch (`torch.*`)"), ("keras", "Keras (`keras.*`)"),
            ("sklearn", "scikit-learn (`sklearn.*`)"))


def reference_markdown() -> str:
    """The whole reference page."""
    all_entries = entries()
    parts = [
        "# Loss reference",
        "",
        "Generated from the registry by `python -m losscli.render.reference > docs/losses.md`; do not edit by hand.",
        f"{len(all_entries)} losses. `losscli info NAME` shows the same, with a worked example computed live.",
    ]
    for follows, title in FAMILIES:
        family = [e for e in all_entries if e.follows == follows]
        if not family:
            continue
        parts += ["", f"## {title}", "", table_md(["loss", "task", "summary"], [[f"[`{e.name}`](#{_anchor(e.name)})", e.task, e.summary] for e in family])]
        for entry in family:
            parts += ["", _section(entry)]
    return "\n".join(parts) + "\n"


def _anchor(name: str) -> str:
    return name.lower().replace(".", "")


def _section(entry: LossEntry) -> str:
    facts = [f"**{entry.summary}**", ""]
    if entry.aliases:
        facts.append(f"- aliases: {', '.join(f'`{a}`' for a in entry.aliases)}")
    facts.append(f"- task: {entry.task}; follows: {entry.follows}" + (f"; canonical twin: `{entry.canonical}`" if entry.canonical else ""))
    facts.append(f"- formula: `{entry.formula}`")
    facts.append(f"- convention: {entry.convention}")
    if entry.lenient:
        facts.append(f"- accepted with a warning (refused with `--strict` and by `{entry.canonical}`): {entry.lenient_text}")
    facts.append(f"- reduction (`--reduction mean`): {entry.reducer.value}; sample weights: {'yes' if entry.sample_weights else 'no'}; {entry.better} is better")
    facts.append(f"- {entry.reductions_text.replace('--reduction sum', '`--reduction sum`', 1)}")
    roles = table_md(["role", "kind", "shape", "meaning"], [[f"`{r.name}`", r.kind_for(entry.defaults).value, r.shape.value, r.doc] for r in entry.roles])
    text = [f"### `{entry.name}`", "", *facts, "", roles]
    if entry.params:
        text += ["", table_md(["parameter", "type", "default", "range", "meaning"],
                              [[f"`{p.name}`", p.type, format_params({"x": p.default})[2:], p.range_text(), p.doc] for p in entry.params])]
    return "\n".join(text)


if __name__ == "__main__":
    sys.stdout.write(reference_markdown())
