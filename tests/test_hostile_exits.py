"""Hostile inputs, options, environments and output streams, run as real processes.

Every case ends with exit 2, nothing on stdout and one ``losscli: error:`` line on stderr (or,
where the input is in fact valid, exit 0 with the numbers NumPy gives): never exit 3 ("internal
error"), exit 1 (a failed gate's code) or a traceback.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import ERROR, strict_json, usage_error

TIMEOUT = 120  # seconds before a child process counts as hung


@dataclass
class Outcome:
    """A finished process, with the attributes :func:`conftest.usage_error` reads."""

    exit_code: int
    stdout: str
    stderr: str


def losscli(*args: Any, cwd: Path, env: dict[str, str] | None = None, prefix: list[str] | None = None,
            stdout: Any = subprocess.PIPE) -> Outcome:
    """``python -m losscli ARGS`` as a real process (``prefix`` runs it under another command)."""
    command = [*(prefix or []), sys.executable, "-m", "losscli", *map(str, args)]
    result = subprocess.run(command, cwd=cwd, env={**os.environ, **(env or {})}, stdout=stdout, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, timeout=TIMEOUT)
    out = result.stdout.decode("utf-8", "replace") if result.stdout is not None else ""
    return Outcome(result.returncode, out, result.stderr.decode("utf-8", "replace"))


def shell(line: str, cwd: Path, env: dict[str, str] | None = None) -> Outcome:
    """A /bin/sh command line where ``losscli`` stands for this interpreter's ``python -m losscli``."""
    command = line.replace("losscli", f"{shlex.quote(sys.executable)} -m losscli")
    result = subprocess.run(["/bin/sh", "-c", command], cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True,
                            timeout=TIMEOUT)
    return Outcome(result.returncode, result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace"))


def valid(result: Outcome) -> Any:
    """Exit 0, strict JSON on stdout, and only warnings on stderr; returns the document."""
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert all(line.startswith("losscli: warning:") for line in result.stderr.splitlines()), result.stderr
    return strict_json(result.stdout)


PRED = np.random.default_rng(7).normal(size=40)
TARGET = np.random.default_rng(8).normal(size=40)
MSE = float(np.mean((PRED - TARGET) ** 2))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A directory with one valid run in every format, and a saved result of it."""
    np.save(tmp_path / "pred.npy", PRED)
    np.save(tmp_path / "target.npy", TARGET)
    np.savez(tmp_path / "run.npz", pred=PRED, target=TARGET)
    (tmp_path / "run.csv").write_text("pred,target\n" + "".join(f"{p!r},{t!r}\n" for p, t in zip(PRED.tolist(), TARGET.tolist())))
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"pred": PRED, "target": TARGET}), tmp_path / "run.parquet")
    (tmp_path / "run.toml").write_text('[eval]\npredictions = "run.csv"\nlosses = ["mse"]\n')
    saved = losscli("eval", "run.csv", "--loss", "mse", "--format", "json", cwd=tmp_path)
    (tmp_path / "saved.json").write_text(saved.stdout)
    return tmp_path


PAIRED = ("run.csv", "run.csv", "--target", "run.csv", "--loss", "mse")


# --- stdout, stderr and the job summary ------------------------------------------------------

@pytest.mark.parametrize("line", [
    "losscli eval run.csv --loss mse >&-",
    "losscli eval run.csv --loss mse --per-sample --format jsonl >&-",
    "losscli compare saved.json saved.json >&-",
    "losscli check run.toml >&-",
    "losscli list >&-",
    "losscli info huber >&-",
    "losscli --version >&-",
    "losscli eval --help >&-",
])
def test_closed_stdout_is_an_error(data: Path, line: str) -> None:
    usage_error(shell(line, data), "standard output is closed")


@pytest.mark.parametrize("args", [
    ("eval", "run.csv", "--loss", "mse"),
    ("eval", "run.csv", "--loss", "mse", "--per-sample", "--format", "csv"),
    ("compare", *PAIRED),
    ("check", "run.toml"),
    ("list",),
    ("info", "huber", "--format", "json"),
    ("--version",),
    ("--help",),
])
def test_full_stdout_is_an_error(data: Path, args: tuple[str, ...]) -> None:
    with open("/dev/full", "wb") as full:
        usage_error(losscli(*args, cwd=data, stdout=full), "cannot write to standard output", "No space left on device")


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "md"])
def test_stdout_cut_short_leaves_no_partial_document(data: Path, fmt: str) -> None:
    """A file-size limit stops the write part way: the file is cut back to where the output began."""
    values = np.random.default_rng(9).normal(size=3000).tolist()
    (data / "big.csv").write_text("pred,target\n" + "".join(f"{v!r},0\n" for v in values))
    (data / "out").write_bytes(b"kept\n")
    limit = "--limit 3000" if fmt == "md" else ""  # the other formats give every row anyway
    result = shell(f"ulimit -f 8; losscli eval big.csv --loss mse --per-sample {limit} --format {fmt} >> out", data)
    usage_error(result, "cannot write to standard output", "File too large")
    assert (data / "out").read_bytes() == b"kept\n"


@pytest.mark.parametrize(("args", "env"), [
    (("eval", "run.csv", "--loss", "mse", "--format", "md", "--label", "résumé"), {"PYTHONIOENCODING": "ascii"}),
    (("eval", "accents.csv", "--pred-col", "prédiction", "--loss", "mse", "--format", "json"), {"PYTHONIOENCODING": "ascii"}),
    (("eval", "accents.csv", "--pred-col", "prédiction", "--loss", "mse", "--format", "table"), {"PYTHONIOENCODING": "ascii"}),
    (("list", "--format", "table"), {"PYTHONIOENCODING": "ascii"}),
    (("info", "huber", "--format", "md"), {"PYTHONIOENCODING": "ascii"}),
])
def test_ascii_stdout_refuses_what_it_cannot_hold(data: Path, args: tuple[str, ...], env: dict[str, str]) -> None:
    (data / "accents.csv").write_text("prédiction,target\n1,2\n3,5\n", encoding="utf-8")
    usage_error(losscli(*args, cwd=data, env=env), "standard output's encoding (ascii) cannot represent", "PYTHONIOENCODING=utf-8")


def test_c_locale_writes_utf8(data: Path) -> None:
    """Python coerces the C locale to UTF-8: a non-ASCII column name is simply written."""
    (data / "accents.csv").write_text("prédiction,target\n1,2\n3,5\n", encoding="utf-8")
    result = losscli("eval", "accents.csv", "--pred-col", "prédiction", "--loss", "mse", "--format", "json", cwd=data,
                     env={"LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": ""})
    assert valid(result)["inputs"]["pred"]["columns"] == ["prédiction"]


@pytest.mark.parametrize("line", [
    "losscli eval missing.csv --loss mse 2>&-",
    "losscli eval run.csv --loss nope 2>&-",
    "losscli eval run.csv --bogus-option 2>&-",
    "losscli eval missing.csv --loss mse 2>/dev/full",
    "losscli check missing.toml 2>&-",
])
def test_bad_input_exits_2_whatever_stderr_is(data: Path, line: str) -> None:
    result = shell(line, data)
    assert result.exit_code == 2 and result.stdout == "", result


def test_closed_stdin_is_an_empty_stream(data: Path) -> None:
    usage_error(shell("losscli eval - --input-format csv --loss mse <&-", data), "<stdin>: the file is empty")


def _summary_cases(data: Path) -> dict[str, str]:
    (data / "readonly.md").write_text("")
    (data / "readonly.md").chmod(0o444)
    return {"a directory": str(data), "a missing directory": str(data / "nope" / "summary.md"),
            "under a file": str(data / "run.csv" / "summary.md"), "a full device": "/dev/full",
            "read-only": str(data / "readonly.md")}


@pytest.mark.parametrize("where", ["a directory", "a missing directory", "under a file", "a full device", "read-only"])
@pytest.mark.parametrize("args", [
    ("eval", "run.csv", "--loss", "mse", "--summary"),
    ("eval", "run.csv", "--loss", "mse", "--summary", "--per-sample", "--format", "jsonl"),
    ("compare", *PAIRED, "--summary"),
    ("check", "run.toml", "--summary"),
])
def test_unwritable_job_summary_is_an_error(data: Path, where: str, args: tuple[str, ...]) -> None:
    path = _summary_cases(data)[where]
    prefix = _unprivileged() if where == "read-only" else []
    result = losscli(*args, cwd=data, env={"GITHUB_STEP_SUMMARY": path}, prefix=prefix)
    if where == "a full device" and "jsonl" in args:  # writable until written: the rows streamed first stay
        result.stdout = ""
    usage_error(result, "--summary", "GITHUB_STEP_SUMMARY=")


def test_writable_job_summary_gets_the_report(data: Path) -> None:
    summary = data / "summary.md"
    result = losscli("compare", "saved.json", "saved.json", "--summary", "--format", "json", cwd=data,
                     env={"GITHUB_STEP_SUMMARY": str(summary)})
    valid(result)
    assert "<!-- losscli:losscli -->" in summary.read_text()


def _unprivileged() -> list[str]:
    """A command prefix under which file permissions hold (root reads mode-000 files otherwise)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=TIMEOUT)
    if probe.returncode != 0:
        pytest.skip("setpriv cannot drop capabilities here")
    return prefix


# --- unreadable files ---------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("eval", "locked.csv", "--loss", "mse"),
    ("eval", "locked.npy", "target.npy", "--loss", "mse"),
    ("eval", "locked.npz", "--loss", "mse"),
    ("eval", "locked.parquet", "--loss", "mse"),
    ("eval", "run.csv", "--loss", "mse", "--input", "weight=locked.npy"),
    ("check", "locked.toml"),
    ("compare", "locked.json", "saved.json"),
    ("compare", "saved.json", "locked.json"),
])
def test_unreadable_file_is_an_error(data: Path, args: tuple[str, ...]) -> None:
    for name, source in (("locked.csv", "run.csv"), ("locked.npy", "pred.npy"), ("locked.npz", "run.npz"),
                         ("locked.parquet", "run.parquet"), ("locked.toml", "run.toml"), ("locked.json", "saved.json")):
        shutil.copy(data / source, data / name)
        (data / name).chmod(0)
    usage_error(losscli(*args, cwd=data, prefix=_unprivileged()), "locked.", "permission")


# --- NPZ archives ---------------------------------------------------------------------------

def _npz_bytes(data: Path, compressed: bool) -> bytes:
    path = data / "plain.npz"
    (np.savez_compressed if compressed else np.savez)(path, pred=PRED, target=TARGET)
    return path.read_bytes()


def _member_data(blob: bytes, name: str) -> int:
    """Where a member's bytes start in a ZIP archive."""
    import io
    import struct
    import zipfile

    info = zipfile.ZipFile(io.BytesIO(blob)).getinfo(name)
    name_length, extra_length = struct.unpack("<HH", blob[info.header_offset + 26:info.header_offset + 30])
    return info.header_offset + 30 + name_length + extra_length


def _flipped(blob: bytes, at: int) -> bytes:
    damaged = bytearray(blob)
    damaged[at] ^= 0xFF
    return bytes(damaged)


def _encrypted(blob: bytes) -> bytes:
    """Every member flagged as encrypted (general-purpose bit 0, local and central headers)."""
    flagged = bytearray(blob)
    for magic, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = flagged.find(magic)
        while start >= 0:
            flagged[start + flag_at] |= 1
            start = flagged.find(magic, start + 4)
    return bytes(flagged)


def _zip(path: Path, members: dict[str, bytes], compression: int = 0) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)


def _npy_bytes(array: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


NPZ_CASES = ["truncated", "truncated deflate", "bad CRC", "bad deflate data", "encrypted", "encrypted deflate",
             "text member", "only a text file", "empty archive"]


@pytest.mark.parametrize("case", NPZ_CASES)
def test_damaged_npz_is_an_error(data: Path, case: str) -> None:
    stored, deflated = _npz_bytes(data, False), _npz_bytes(data, True)
    path = data / "bad.npz"
    if case == "truncated":
        path.write_bytes(stored[: len(stored) // 2])
    elif case == "truncated deflate":
        path.write_bytes(deflated[:-30])
    elif case == "bad CRC":
        path.write_bytes(_flipped(stored, _member_data(stored, "pred.npy") + 200))
    elif case == "bad deflate data":
        path.write_bytes(_flipped(deflated, _member_data(deflated, "pred.npy") + 100))
    elif case == "encrypted":
        path.write_bytes(_encrypted(stored))
    elif case == "encrypted deflate":
        path.write_bytes(_encrypted(deflated))
    elif case == "text member":
        _zip(path, {"pred.npy": b"hello, not an array", "target.npy": _npy_bytes(TARGET)})
    elif case == "only a text file":
        _zip(path, {"readme.txt": b"hello"})
    else:
        _zip(path, {})
    usage_error(losscli("eval", "bad.npz", "--loss", "mse", cwd=data), "bad.npz")


def test_damaged_member_counts_only_when_used(data: Path) -> None:
    """An archive member that is not an array is no reason to refuse the arrays that are; choosing it is the error."""
    members = {"pred.npy": _npy_bytes(PRED), "target.npy": _npy_bytes(TARGET), "notes.npy": b"not an array"}
    _zip(data / "notes.npz", members)
    doc = valid(losscli("eval", "notes.npz", "--loss", "mse", "--format", "json", cwd=data))
    assert doc["losses"]["mse"]["value"] == MSE
    usage_error(losscli("eval", "notes.npz", "--loss", "mse", "--col", "pred=notes", cwd=data), "'notes'")
    _zip(data / "weighted.npz", {**members, "weight.npy": b"not an array"})  # the weight array is used whenever present
    usage_error(losscli("eval", "weighted.npz", "--loss", "mse", cwd=data), "'weight'")


@pytest.mark.parametrize("compression", ["bzip2", "lzma"])
def test_npz_of_other_compressions_is_read(data: Path, compression: str) -> None:
    import zipfile

    method = {"bzip2": zipfile.ZIP_BZIP2, "lzma": zipfile.ZIP_LZMA}[compression]
    _zip(data / "odd.npz", {"pred.npy": _npy_bytes(PRED), "target.npy": _npy_bytes(TARGET)}, method)
    doc = valid(losscli("eval", "odd.npz", "--loss", "mse", "--format", "json", cwd=data))
    assert doc["losses"]["mse"]["value"] == MSE


# --- NPY headers ----------------------------------------------------------------------------

def _npy(header: str, version: tuple[int, int] = (1, 0), payload: bytes = PRED.tobytes()) -> bytes:
    """An NPY file with ``header`` as its header text (padded to 64 bytes as numpy.save does)."""
    import struct

    size_bytes = 2 if version[0] == 1 else 4
    text = header.encode("latin1")
    text += b" " * (-(len(text) + 6 + 2 + size_bytes + 1) % 64) + b"\n"
    return b"\x93NUMPY" + bytes(version) + struct.pack("<H" if size_bytes == 2 else "<I", len(text)) + text + payload


HEADER = "{'descr': '<f8', 'fortran_order': False, 'shape': (40,), }"


@pytest.mark.parametrize("header", [
    "{'descr': '<f8', 'fortran_order': False, 'shape': (40,",
    "{'descr': '<f8' 'fortran_order': False}",
    "{'descr': " + "[" * 50_000 + "]" * 50_000 + "}",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (" + "9" * 5000 + ",), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (True,), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }",
    "{'descr': 'xyz', 'fortran_order': False, 'shape': (40,), }",
    "{'descr': 5, 'fortran_order': False, 'shape': (40,), }",
    "{'descr': '<f8', 'fortran_order': 'no', 'shape': (40,), }",
    "[1, 2, 3]",
])
def test_broken_npy_header_is_an_error(data: Path, header: str) -> None:
    (data / "bad.npy").write_bytes(_npy(header, (2, 0)))
    usage_error(losscli("eval", "bad.npy", "target.npy", "--loss", "mse", cwd=data), "bad.npy")


@pytest.mark.parametrize(("header", "version"), [
    (HEADER + " " * 60_000, (1, 0)),  # the longest a version 1.0 header can be
    (HEADER + " " * 70_000, (2, 0)),  # longer than 65535 bytes: version 2.0
    (HEADER, (3, 0)),
])
def test_long_valid_npy_header_is_read(data: Path, header: str, version: tuple[int, int]) -> None:
    (data / "long.npy").write_bytes(_npy(header, version))
    doc = valid(losscli("eval", "long.npy", "target.npy", "--loss", "mse", "--format", "json", cwd=data))
    assert doc["losses"]["mse"]["value"] == MSE


# --- gzip, Parquet and CSV tables --------------------------------------------------------------

@pytest.mark.parametrize("case", ["truncated", "corrupt deflate", "bad CRC", "magic only", "header only"])
def test_damaged_gzip_is_an_error(data: Path, case: str) -> None:
    import gzip

    packed = gzip.compress((data / "run.csv").read_bytes())
    content = {"truncated": packed[: len(packed) // 2], "corrupt deflate": _flipped(_flipped(packed, 20), 21),
               "bad CRC": _flipped(packed, len(packed) - 6), "magic only": packed[:2], "header only": packed[:10]}[case]
    (data / "bad.csv.gz").write_bytes(content)
    usage_error(losscli("eval", "bad.csv.gz", "--loss", "mse", cwd=data), "bad.csv.gz")


@pytest.mark.parametrize("case", ["truncated", "garbage footer length", "garbage footer", "empty"])
def test_damaged_parquet_is_an_error(data: Path, case: str) -> None:
    blob = (data / "run.parquet").read_bytes()
    noise = bytes(np.random.default_rng(3).integers(0, 256, 200, dtype=np.uint8))
    content = {"truncated": blob[: len(blob) // 2], "garbage footer length": blob[:-8] + b"\xff\xff\xff\x7fPAR1",
               "garbage footer": blob[:-208] + noise + blob[-8:], "empty": b""}[case]
    (data / "bad.parquet").write_bytes(content)
    usage_error(losscli("eval", "bad.parquet", "--loss", "mse", cwd=data), "bad.parquet")


@pytest.mark.parametrize(("header", "args"), [
    ("pred,pred,target", ()),
    ("a,a", ("--pred-col", "a", "--target-col", "a")),
    ("pred,target,g,g", ("--group-by", "g")),
])
def test_duplicated_csv_column_is_an_error(data: Path, header: str, args: tuple[str, ...]) -> None:
    width = header.count(",") + 1
    (data / "dup.csv").write_text(header + "\n" + "".join(",".join(str(i + j) for j in range(width)) + "\n" for i in range(4)))
    usage_error(losscli("eval", "dup.csv", "--loss", "mse", *args, cwd=data), "more than once")


@pytest.mark.parametrize(("names", "args"), [(["a", "a"], ("--pred-col", "a", "--target-col", "a")),
                                             (["pred", "pred"], ("--input", "target=target.npy"))])
def test_duplicated_parquet_column_is_an_error(data: Path, names: list[str], args: tuple[str, ...]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_arrays([pa.array(PRED), pa.array(TARGET)], names=names), data / "dup.parquet")
    usage_error(losscli("eval", "dup.parquet", "--loss", "mse", *args, cwd=data), "more than once")


# --- TOML files for check ---------------------------------------------------------------------

EVAL = '[eval]\npredictions = "run.csv"\nlosses = ["mse"]\n'
COMPARE = '[compare]\nbaseline = "run.csv"\ncandidates = ["run.csv"]\ntarget = "run.csv"\nlosses = ["mse"]\n'


@pytest.mark.parametrize(("content", "fragment"), [
    (b'[eval]\npredictions = "caf\xe9.csv"\nlosses = ["mse"]\n', "not UTF-8"),
    ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ("a = " + "{b = " * 5000 + "1" + "}" * 5000 + "\n", "nested too deeply"),
    (EVAL + "fail_above = { mse = " + "9" * 5000 + " }\n", "too long"),
    (COMPARE + "bootstrap = 9223372036854775807\n", "bootstrap"),
    (COMPARE + "bootstrap = 0\n", "bootstrap"),
    (COMPARE + "bootstrap = 10\nseed = -1\n", "seed"),
    (COMPARE + "bootstrap = 10\nci = nan\n", "ci"),
    (COMPARE + "bootstrap = 10\nci = inf\n", "ci"),
    (COMPARE + "bootstrap = 10\nci = " + "9" * 400 + "\n", "ci"),
    (COMPARE + "ci = 1.0\n", "confidence level"),
    (EVAL + "worst = -3\n", "worst"),
    (EVAL + "[report]\nprecision = 9223372036854775807\n", "precision"),
    (EVAL + "[columns]\npred = \"\"\n", "name none"),
    (EVAL + "group_by = \"\"\n", "--group-by"),
    (EVAL + "fail_above = { mse = nan }\n", "finite"),
    ('[eval]\npredictions = "run.csv"\nlosses = ["huber:delta=inf"]\n', "valid range"),
])
def test_hostile_toml_is_an_error(data: Path, content: str | bytes, fragment: str) -> None:
    path = data / "hostile.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    usage_error(losscli("check", "hostile.toml", cwd=data), fragment)


def test_toml_directory_is_an_error(data: Path) -> None:
    (data / "dir.toml").mkdir()
    usage_error(losscli("check", "dir.toml", cwd=data), "dir.toml: is a directory")


def test_toml_with_a_huge_seed_is_valid(data: Path) -> None:
    (data / "seeded.toml").write_text(COMPARE + "bootstrap = 20\nseed = 99999999999999999999\n[report]\nformat = \"json\"\n")
    first, again = (valid(losscli("check", "seeded.toml", cwd=data)) for _ in range(2))
    assert first == again
    assert first["compare"]["rows"][0]["baseline"] == MSE


# --- saved JSON results for compare -----------------------------------------------------------

def _saved(data: Path, change: Any) -> dict[str, Any]:
    doc = json.loads((data / "saved.json").read_text())
    change(doc)
    return doc


@pytest.mark.parametrize(("edit", "fragment"), [
    (lambda d: d["losses"]["mse"].update(value="0.5"), "not a finite number"),
    (lambda d: d["losses"]["mse"].update(value=True), "not a finite number"),
    (lambda d: d["losses"]["mse"].update(value=[1, 2]), "not a finite number"),
    (lambda d: d["losses"]["mse"].update(value={"a": 1}), "not a finite number"),
    (lambda d: d["losses"]["mse"].update(value=10 ** 400), "not a finite number"),
    (lambda d: d.update(n_samples=-5), "n_samples"),
    (lambda d: d.update(n_samples=True), "n_samples"),
    (lambda d: d.update(n_samples="40"), "n_samples"),
    (lambda d: d["losses"]["mse"].update(params=[1]), "not an eval result entry"),
    (lambda d: d["losses"].update(mse=5), "not an eval result entry"),
    (lambda d: d.update(losses=["mse"]), "not a losscli eval result"),
])
@pytest.mark.parametrize("position", ["baseline", "candidate"])
def test_malformed_saved_result_is_refused(data: Path, edit: Any, fragment: str, position: str) -> None:
    (data / "bad.json").write_text(json.dumps(_saved(data, edit)))
    runs = ("bad.json", "saved.json") if position == "baseline" else ("saved.json", "bad.json")
    usage_error(losscli("compare", *runs, "--loss", "mse", cwd=data), "bad.json", fragment)


@pytest.mark.parametrize(("text", "fragment"), [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"schema_version": 1, "losses": {}, "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ('{"schema_version": 1, "n_samples": ' + "9" * 5000 + ', "losses": {}}', "too long"),
    ('{"schema_version": 1, "n_samples": 40, "losses": {"mse": {"name": "mse", "params": {}, "reduction": "mean",'
     ' "value": NaN}}}', "NaN is not strict JSON"),
    ('{"schema_version": 1, "n_samples": 40, "losses": {"mse": {"name": "mse", "params": {}, "reduction": "mean",'
     ' "value": 1e999}}}', "not a finite number"),
    ("caf\xe9", "not UTF-8"),
])
def test_hostile_saved_json_is_refused(data: Path, text: str, fragment: str) -> None:
    (data / "bad.json").write_bytes(text.encode("latin1"))
    usage_error(losscli("compare", "bad.json", "saved.json", "--loss", "mse", cwd=data), "bad.json", fragment)


def test_saved_null_value_is_a_non_finite_loss(data: Path) -> None:
    """null is what eval writes for a non-finite value: compared as one, so a gate on it fails (exit 1)."""
    (data / "nan.json").write_text(json.dumps(_saved(data, lambda d: d["losses"]["mse"].update(value=None))))
    result = losscli("compare", "saved.json", "nan.json", "--max-increase", "mse=1", "--format", "json", cwd=data)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert strict_json(result.stdout)["rows"][0]["candidate"] is None
    assert result.stderr.startswith("losscli: gate failed:")


# --- options -----------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("compare", *PAIRED, "--bootstrap", "10", "--seed", "-1"),
    ("compare", *PAIRED, "--bootstrap", "10", "--seed", "9" * 5000),
    ("compare", *PAIRED, "--bootstrap", "-1"),
    ("compare", *PAIRED, "--bootstrap", "9223372036854775807"),
    ("compare", *PAIRED, "--bootstrap", "99999999999999999999"),
    ("compare", *PAIRED, "--bootstrap", "10", "--ci", "1.5"),
    ("compare", *PAIRED, "--bootstrap", "10", "--ci", "nan"),
    ("compare", *PAIRED, "--ci", "0"),
    ("compare", *PAIRED, "--worst", "-3"),
    ("compare", *PAIRED, "--worst", "2", "--id-col", ""),
    ("eval", "run.csv", "--loss", "mse", "--pred-col", ""),
    ("eval", "run.csv", "--loss", "mse", "--target-col", ""),
    ("eval", "run.csv", "--loss", "mse", "--pred-col", ","),
    ("eval", "run.csv", "--loss", "mse", "--weight-col", ""),
    ("eval", "run.csv", "--loss", "mse", "--col", "pred="),
    ("eval", "run.csv", "--loss", "mse", "--group-by", ""),
    ("eval", "run.csv", "--loss", "mse", "--limit", "-1"),
    ("eval", "run.csv", "--loss", "mse", "--limit", "9" * 5000),
    ("eval", "run.csv", "--loss", "mse", "--precision", "1000"),
    ("eval", "run.csv", "--loss", "mse", "--precision", "nan"),
    ("eval", "run.csv", "--loss", "mse", "--worst", "-3"),
    ("eval", "run.csv", "--loss", "mse", "--fail-above", "mse=" + "9" * 5000),
    ("eval", "run.csv", "--loss", "mse", "--fail-above", "mse=1e309"),
    ("list", "--task", "nope"),
    ("info", "a" * 100_000),
])
def test_hostile_option_is_an_error(data: Path, args: tuple[str, ...]) -> None:
    usage_error(losscli(*args, cwd=data))


@pytest.mark.parametrize("args", [
    ("eval", "run.csv", "--loss", "mse", "--worst", "99999999999999999999"),
    ("eval", "run.csv", "--loss", "mse", "--per-sample", "--limit", "99999999999999999999"),
    ("compare", *PAIRED, "--bootstrap", "20", "--seed", "99999999999999999999"),
    ("compare", *PAIRED, "--worst", "9223372036854775807"),
])
def test_huge_but_valid_option_is_honoured(data: Path, args: tuple[str, ...]) -> None:
    doc = valid(losscli(*args, "--format", "json", cwd=data))
    value = doc["losses"]["mse"]["value"] if args[0] == "eval" else doc["rows"][0]["baseline"]
    assert value == MSE
    if "--worst" in args and args[0] == "eval":
        assert len(doc["losses"]["mse"]["per_sample"]) == len(PRED)


# --- loss parameters -------------------------------------------------------------------------

@pytest.mark.parametrize(("spec", "fragment"), [
    ("huber:delta=inf", "valid range"),
    ("huber:delta=-inf", "valid range"),
    ("huber:delta=nan", "valid range"),
    ("huber:delta=1e309", "range of a double"),
    ("huber:delta=1e-400", "valid range"),
    ("cross_entropy:weight=[1,inf]", "valid range"),
    ("cross_entropy:weight=[1,nan]", "valid range"),
    ("torch.cross_entropy:weight=[1,1e309]", "range of a double"),
    ("cross_entropy:ignore_index=" + "9" * 30, "64-bit"),
    ("cross_entropy:ignore_index=1e300", "64-bit"),
    ("cross_entropy:ignore_index=" + "9" * 5000, "ignore_index"),
    ("cross_entropy:weight=[" + ",".join(["1"] * 20_000) + "]", "one weight per class"),
    ("cross_entropy:" + ",".join(f"k{i}=1" for i in range(5000)), "unknown parameter"),
    ("cross_entropy:weight=" + "[" * 10_000 + "]" * 10_000, "malformed loss spec"),
])
def test_bad_loss_parameter_is_refused_with_its_range(data: Path, spec: str, fragment: str) -> None:
    np.save(data / "scores.npy", np.random.default_rng(1).normal(size=(20, 2)))
    np.save(data / "labels.npy", np.random.default_rng(2).integers(0, 2, 20))
    usage_error(losscli("eval", "scores.npy", "labels.npy", "--loss", spec, cwd=data), fragment)


@pytest.mark.parametrize("spec", ["cross_entropy:weight=[1,1e308]", "cross_entropy:weight=[1e308,1e308]"])
def test_huge_finite_weights_give_strict_json(data: Path, spec: str) -> None:
    """Valid weights whose products overflow: the document stays strict JSON (a non-finite value is null)."""
    np.save(data / "scores.npy", np.random.default_rng(1).normal(size=(20, 2)))
    np.save(data / "labels.npy", np.random.default_rng(2).integers(0, 2, 20))
    for fmt in ("json", "jsonl"):
        result = losscli("eval", "scores.npy", "labels.npy", "--loss", spec, "--per-sample", "--format", fmt, cwd=data)
        assert result.exit_code == 0 and "Traceback" not in result.stderr, result
        for line in result.stdout.splitlines() if fmt == "jsonl" else [result.stdout]:
            strict_json(line)
