"""What a library entry's lenient checks flagged over one pass: one warning per loss and problem.

The pass evaluates chunk by chunk; each chunk's flagged values add to a :class:`Finding` that keeps
the total count and the first place, so the warning at the end reads as the error would have.
"""

from __future__ import annotations

from dataclasses import dataclass

from losscli.registry.declarations import Check, Lenient, LossEntry


@dataclass
class Finding:
    """A lenient check's flagged values over the pass: the first one as a message says it, and how many."""

    head: str  # "loss 'keras.bce': pred should be probabilities in [0, 1], but run.csv row 3 is 1.000000001"
    hint: str
    count: int = 0


class Lenience:
    """The lenient checks of one loss over a pass; with ``strict`` none is lenient (each is the canonical error)."""

    def __init__(self, entry: LossEntry, strict: bool = False) -> None:
        self.entry, self.strict = entry, strict
        self.findings: dict[tuple[str, Check], Finding] = {}
        self.label_places: dict[bool, str] = {}  # hinge labels: converted (True) or used as given (False), first place

    def allows(self, role: str, check: Check) -> Lenient | None:
        """The leniency ``entry`` declares for ``check`` on ``role``, unless strict."""
        return None if self.strict else self.entry.lenient_check(role, check)

    def note(self, role: str, check: Check, head: str, hint: str, count: int) -> None:
        """Add ``count`` flagged values; the first chunk's ``head`` (first place and value) is kept."""
        finding = self.findings.setdefault((role, check), Finding(head, hint))
        finding.count += count

    def warnings(self) -> list[tuple[str, str]]:
        """One (message, hint) per problem, in the order first seen."""
        return [(f"{f.head} ({f.count} such value{'s' if f.count > 1 else ''})", f.hint) for f in self.findings.values()]
