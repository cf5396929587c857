"""Which reader a path needs: from its extension, or from ``--input-format`` (stdin)."""

from __future__ import annotations

from pathlib import Path

from losscli.errors import LossCliError

FORMATS = ("csv", "tsv", "npy", "npz", "parquet")
_EXTENSIONS = {
    ".csv": "csv", ".csv.gz": "csv", ".tsv": "tsv", ".tsv.gz": "tsv", ".tab": "tsv",
    ".npy": "npy", ".npz": "npz", ".parquet": "parquet", ".pq": "parquet",
}
STDIN = "-"


def detect_format(path: str, override: str | None) -> str:
    """The format of ``path``: from its extension, else ``override`` (always ``override`` for stdin)."""
    name = Path(path).name.lower()
    if path != STDIN:
        for ext in sorted(_EXTENSIONS, key=len, reverse=True):
            if name.endswith(ext):
                return _EXTENSIONS[ext]
    if override is not None:
        return override
    if path == STDIN:
        raise LossCliError("cannot tell the format of standard input", f"pass --input-format ({'|'.join(FORMATS)})")
    raise LossCliError(
        f"{path}: unsupported file extension {Path(path).suffix or '(none)'!r}",
        f"use one of {', '.join(_EXTENSIONS)}, or pass --input-format",
    )
