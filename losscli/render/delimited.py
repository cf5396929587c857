"""Per-sample rows as CSV or TSV: an ``index`` column, then one column per loss spec.

Values are rounded to ``--precision`` significant digits; non-finite losses are empty cells.
"""

from __future__ import annotations

import csv
import io

import numpy as np

from losscli.engine import Evaluation
from losscli.render.views import SampleSelection, selected_samples


def delimited(evaluation: Evaluation, selection: SampleSelection, digits: int, sep: str) -> str:
    positions = selected_samples(evaluation, selection)
    columns = [_texts(r.per_sample[positions], digits) for r in evaluation.results]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerow(["index", *(r.loss.spec.text for r in evaluation.results)])
    writer.writerows(zip(evaluation.rows[positions].tolist(), *columns))
    return out.getvalue()


def _texts(values: np.ndarray, digits: int) -> list[str]:
    texts = np.char.mod(f"%.{digits}g", values).astype(object)
    texts[~np.isfinite(values)] = ""
    return texts.tolist()
