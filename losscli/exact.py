"""Exact, order-independent sums of float64 values, merged by integer addition and rounded once.

The sum of a column is kept as a Python ``int`` in units of ``2**-1126`` (every finite double
is an integer multiple of that unit) and turned into a float once, correctly rounded (Python's
``int / int`` rounds correctly). The result is the same for any chunking, order or split of
the values, and equals ``math.fsum`` of them. A chunk is added in two ways:

* **Extraction** (the common case). With ``|x| < 2**E`` for every value of a chunk of
  ``n ≤ 2**k`` values and ``σ = 1.5 · 2**(E + k)``, ``h = (x + σ) − σ`` rounds ``x`` to a
  multiple of ``u = 2**(E + k − 52)`` exactly, ``r = x − h`` is exact, and the float sum of the
  ``h`` is exact in any order (every partial sum is a multiple of ``u`` of magnitude at most
  ``2**52 · u``). Each level leaves residuals ``|r| < 2**(E + k − 52)``; a chunk of values that
  span ``B`` bits takes about ``B / (52 − k)`` levels (two or three for typical losses), each a
  few in-cache passes and one ``np.sum``.
* **Binning** (a chunk too wide for a few levels, or near the ends of the float range): every
  double is ``M · 2**(e − 53)`` with ``2**52 ≤ |M| < 2**53`` (``np.frexp``); split
  ``M = H · 2**27 + L`` with ``|H| < 2**26``, ``0 ≤ L < 2**27``; ``Σ H`` and ``Σ L`` per binary
  exponent (``np.bincount`` with the halves as weights) are exact in float64 while fewer than
  ``2**26`` values have been added.

Non-finite values are counted apart (NaN, +inf, −inf) and give the IEEE result of a sum that
contains them. Cost on cache-sized chunks of standard-normal values and their squares:
``python benchmarks/bench_exact.py`` prints it beside ``np.sum`` and ``math.fsum``.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np

N_BINS = 2098  # binary exponents e + 1073 for e in [-1073, 1024]
_SHIFT = 1126  # the unit of the integer sum is 2**-1126
_FLUSH_AFTER = 1 << 25  # values per bin before the float partial sums could stop being exact
_HALF = float(1 << 26)
_LOW = float(1 << 27)
MAX_LEVELS = 4  # extraction levels before the rest of a chunk is binned


class _Scratch(threading.local):
    """Reused work arrays: fresh temporaries of a chunk's size would cost page faults on every chunk."""

    def __init__(self) -> None:
        self.size = self.float_size = 0

    def arrays(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if n > self.size:
            self.size = max(n, 2 * self.size)
            self.m, self.high = np.empty(self.size), np.empty(self.size)
            self.e, self.bins = np.empty(self.size, dtype=np.int32), np.empty(self.size, dtype=np.intp)
        return self.m[:n], self.high[:n], self.e[:n], self.bins[:n]

    def zeros(self, n: int, dtype: np.dtype) -> np.ndarray:
        have = self.__dict__.setdefault("zeros_by_dtype", {}).get(dtype)
        if have is None or len(have) < n:
            have = self.zeros_by_dtype[dtype] = np.zeros(max(n, 2 * (0 if have is None else len(have))), dtype=dtype)
        return have[:n]

    def floats(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if n > self.float_size:
            self.float_size = max(n, 2 * self.float_size)
            self.rounded, self.rest = np.empty(self.float_size), np.empty(self.float_size)
        return self.rounded[:n], self.rest[:n]


_scratch = _Scratch()


def split(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bin, H, L) of finite float64 values: ``x = (H·2**27 + L) · 2**(bin − 1126)``.

    The arrays returned are scratch space, valid until the next call.
    """
    m, high, e, bins = _scratch.arrays(len(x))
    np.frexp(x, out=(m, e))
    m *= _HALF
    np.floor(m, out=high)
    m -= high
    m *= _LOW
    np.add(e, 1073, out=bins, casting="unsafe")
    return bins, high, m


def extract(x: np.ndarray, top: float) -> tuple[int, np.ndarray | None]:
    """The exact sum of finite ``x`` by extraction (see the module docstring), in units of ``2**-1126``.

    ``top`` is ``max |x|``. Returns ``(total, rest)``: ``rest`` (scratch space) holds what is
    still to be added when the levels ran out or reached the ends of the float range, else
    None. The first level's residuals are bounded by its grid, unlooked at; from the second
    level on only the non-zero residuals are carried (after two levels of typical losses, a
    handful of values), so a last level costs next to nothing.
    """
    if top == 0.0:
        return 0, None
    n = x.size
    exponent = math.frexp(top)[1]  # every |x| < 2**exponent
    high, rest = _scratch.floats(n)
    source, total = x, 0
    for level in range(MAX_LEVELS):
        k = max(2, (n - 1).bit_length())  # n ≤ 2**k
        if not -1022 <= exponent + k <= 1022:  # σ and its grid must be normal doubles
            return total, source
        sigma = math.ldexp(1.5, exponent + k)
        h, r = high[:n], rest[:n]
        np.add(source, sigma, out=h)
        h -= sigma
        numerator, denominator = float(h.sum()).as_integer_ratio()  # the sum is exact; its denominator a power of 2
        total += numerator << (_SHIFT + 1 - denominator.bit_length())
        np.subtract(source, h, out=r)
        if not level:  # |r| ≤ u/2 for u = 2**(exponent + k − 52): a bound for the next level without a look at r
            source, exponent = r, exponent + k - 52
            continue
        kept = r[r != 0]  # from the second level on, only the non-zero residuals are carried
        n = kept.size
        if not n:
            return total, None
        source = rest[:n]
        source[:] = kept
        exponent = math.frexp(max(float(source.max()), -float(source.min())))[1]  # of a few values: a tight bound is cheap
    return total, source


def all_finite(x: np.ndarray) -> bool:
    """Whether every value of float array ``x`` is finite, by one dot product with zeros.

    ``0·v`` is 0 for every finite ``v`` and NaN for NaN and ±inf, so the product is 0 or NaN,
    and it cannot overflow (a plain sum of finite values can).
    """
    flat = x.reshape(-1)
    if flat.dtype.kind != "f":
        return True
    with np.errstate(invalid="ignore"):
        return not math.isnan(float(flat @ _scratch.zeros(flat.size, flat.dtype)))


def _finite_part(x: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int]]:
    """``x`` with non-finite values zeroed, and the counts (NaN, +inf, −inf) it held."""
    finite = np.isfinite(x)
    nan = int(np.isnan(x).sum())
    pos = int((x == math.inf).sum())
    neg = int(x.size - finite.sum()) - nan - pos
    return np.where(finite, x, 0.0), (nan, pos, neg)


def _special(nan: int, pos: int, neg: int) -> float | None:
    if nan or (pos and neg):
        return math.nan
    if pos:
        return math.inf
    if neg:
        return -math.inf
    return None


def _to_float(total: int) -> float:
    try:
        return total / (1 << _SHIFT)
    except OverflowError:
        return math.inf if total > 0 else -math.inf


class Total(float):
    """A finished sum: the float it rounds to, keeping the exact integer for :func:`ratio`.

    ``integer`` is in units of ``2**-1126``, or None when non-finite values were added (the
    float is then their IEEE sum: NaN or ±inf).
    """

    integer: int | None

    def __new__(cls, integer: int, special: float | None = None) -> Total:
        self = super().__new__(cls, special if special is not None else _to_float(integer))
        self.integer = None if special is not None else integer
        return self

    @classmethod
    def of_count(cls, n: int) -> Total:
        return cls(n << _SHIFT)


def ratio(num: float, den: float) -> float:
    """``num / den``, NaN when ``den`` is 0; correctly rounded from the exact sums of two :class:`Total`.

    The exact quotient needs no intermediate float, so it is right even where a sum alone
    exceeds the float range (weights near the float maximum, millions of huge losses).
    """
    a, b = getattr(num, "integer", None), getattr(den, "integer", None)
    if a is None or b is None:
        return num / den if den != 0 else math.nan
    if b == 0:
        return math.nan
    try:
        return a / b
    except OverflowError:
        return math.inf if (a > 0) == (b > 0) else -math.inf


class ExactSum:
    """The exact sum of every value added; ``value`` is it correctly rounded to float64."""

    __slots__ = ("_total", "_high", "_low", "_pending", "nan", "pos_inf", "neg_inf")

    def __init__(self) -> None:
        self._total = 0
        self._high: np.ndarray | None = None
        self._low: np.ndarray | None = None
        self._pending = 0
        self.nan = self.pos_inf = self.neg_inf = 0

    def add(self, x: np.ndarray) -> bool:
        """Fold in a chunk of values (any shape; converted to float64); returns whether they were all finite."""
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        if not x.size:
            return True
        high, low = float(x.max()), float(x.min())  # NaN propagates: the one look that finds non-finite values
        finite = math.isfinite(high) and math.isfinite(low)
        if not finite:
            x, (nan, pos, neg) = _finite_part(x)
            self.nan += nan
            self.pos_inf += pos
            self.neg_inf += neg
            high, low = (float(x.max()), float(x.min())) if x.size else (0.0, 0.0)
        total, rest = extract(x, max(high, -low))
        self._total += total
        if rest is not None:
            self._bin(rest)
        return finite

    def _bin(self, x: np.ndarray) -> None:
        if self._pending + x.size >= _FLUSH_AFTER:
            self._flush()
        bins, high, low = split(x)
        h, lo = np.bincount(bins, high, N_BINS), np.bincount(bins, low, N_BINS)
        if self._high is None:
            self._high, self._low = h, lo
        else:
            assert self._low is not None
            self._high += h
            self._low += lo
        self._pending += x.size

    def _flush(self) -> None:
        if self._high is None:
            return
        assert self._low is not None
        self._total += _bins_to_int(self._high, self._low)
        self._high = self._low = None
        self._pending = 0

    def merge(self, other: ExactSum) -> ExactSum:
        """Add ``other``'s values to this sum (exactly) and return self."""
        self._flush()
        self._total += other.integer()
        self.nan += other.nan
        self.pos_inf += other.pos_inf
        self.neg_inf += other.neg_inf
        return self

    def integer(self) -> int:
        """The exact sum of the finite values, in units of ``2**-1126``."""
        self._flush()
        return self._total

    @property
    def value(self) -> Total:
        return Total(self.integer(), _special(self.nan, self.pos_inf, self.neg_inf))

    def to_json(self) -> dict[str, Any]:
        return {"int": str(self.integer()), "unit_log2": -_SHIFT, "nan": self.nan, "pos_inf": self.pos_inf, "neg_inf": self.neg_inf}


def _bins_to_int(high: np.ndarray, low: np.ndarray) -> int:
    total = 0
    for b in np.flatnonzero((high != 0) | (low != 0)).tolist():
        total += ((int(high[b]) << 27) + int(low[b])) << b
    return total


# --- per group ------------------------------------------------------------------------------

_LIMB = 24
_N_LIMBS = (N_BINS + 27 + 53 + 2 * _LIMB) // _LIMB + 1
_LIMB_MASK = (1 << _LIMB) - 1


class GroupedExactSum:
    """One exact sum per group code (0, 1, …), grown as codes appear.

    Each chunk's values are binned by (group, exponent) and the bin totals are added into
    fixed-point limbs of 24 bits held in int64 (about 100 limbs, ~800 bytes per group), so
    merging and folding stay vectorised whatever the number of groups.
    """

    def __init__(self) -> None:
        self.n_groups = 0
        self.limbs = np.zeros((0, _N_LIMBS), dtype=np.int64)  # rows beyond n_groups: room to grow
        self.special = np.zeros((0, 3), dtype=np.int64)  # NaN, +inf, −inf per group
        self._adds = 0

    def _grow(self, n_groups: int) -> None:
        if n_groups > len(self.limbs):  # capacity doubles: groups that trickle in cost no copy per chunk
            size = max(n_groups, 2 * len(self.limbs))
            self.limbs = np.concatenate([self.limbs, np.zeros((size - len(self.limbs), _N_LIMBS), dtype=np.int64)])
            self.special = np.concatenate([self.special, np.zeros((size - len(self.special), 3), dtype=np.int64)])
        self.n_groups = max(self.n_groups, n_groups)

    def add(self, x: np.ndarray, codes: np.ndarray, n_groups: int) -> None:
        """Fold in values ``x`` (n,) whose groups are ``codes`` (n,) in ``0..n_groups−1``."""
        self._grow(n_groups)
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        if not x.size:
            return
        if not all_finite(x):
            finite = np.isfinite(x)
            for column, mask in enumerate((np.isnan(x), x == math.inf, x == -math.inf)):
                if mask.any():
                    self.special[:n_groups, column] += np.bincount(codes[mask], minlength=n_groups)[:n_groups]
            x = np.where(finite, x, 0.0)
        bins, high, low = split(x)
        key = codes.astype(np.int64) * N_BINS + bins
        unique, inverse = np.unique(key, return_inverse=True)
        group, position = np.divmod(unique, N_BINS)
        self._place(group, position + 27, np.bincount(inverse, high).astype(np.int64))
        self._place(group, position, np.bincount(inverse, low).astype(np.int64))
        self._adds += 1
        if self._adds >= 1 << 20:  # far below the int64 headroom of a limb
            self._carry()

    def _place(self, group: np.ndarray, position: np.ndarray, value: np.ndarray) -> None:
        """Add integers ``value`` (|v| < 2**53) at bit ``position`` of each group's fixed-point number."""
        sign = np.sign(value)
        magnitude = np.abs(value)
        limb, offset = np.divmod(position, _LIMB)
        flat = group * _N_LIMBS + limb  # into the raveled limbs: 1-D ``add.at`` is ~70x faster than 2-D
        limbs = self.limbs.reshape(-1)
        for k in range(3):  # magnitude = a0 + a1·2**24 + a2·2**48
            part = ((magnitude >> (_LIMB * k)) & _LIMB_MASK) << offset  # < 2**48
            np.add.at(limbs, flat + k, sign * (part & _LIMB_MASK))
            np.add.at(limbs, flat + k + 1, sign * (part >> _LIMB))

    def _carry(self) -> None:
        """Bring every limb back into [0, 2**24) by carrying upwards (the top limb keeps the sign)."""
        limbs = self.limbs[: self.n_groups]
        for j in range(_N_LIMBS - 1):
            carry = limbs[:, j] >> _LIMB  # floor division: works for negative limbs too
            limbs[:, j] -= carry << _LIMB
            limbs[:, j + 1] += carry
        self._adds = 0

    def merge(self, other: GroupedExactSum, mapping: np.ndarray, n_groups: int) -> None:
        """Add ``other``'s groups into this one; ``mapping[g]`` is this sum's code for ``other``'s group g."""
        self._grow(n_groups)
        if other.n_groups:
            theirs = mapping[: other.n_groups]
            self.limbs[theirs] += other.limbs[: other.n_groups]  # one code each: no repeats to accumulate
            self.special[theirs] += other.special[: other.n_groups]
            self._carry()

    def integers(self, n_groups: int) -> list[int]:
        """The exact sum of each group's finite values, in units of ``2**-1126``.

        After a carry every limb but the top one is in [0, 2**24): three little-endian bytes
        each, so a group's number is one ``int.from_bytes`` plus its signed top limb.
        """
        self._grow(n_groups)
        self._carry()
        limbs = self.limbs[:n_groups]
        low = np.ascontiguousarray(limbs[:, :-1].astype("<u4").view(np.uint8).reshape(n_groups, -1, 4)[:, :, :3])
        top_shift = _LIMB * (_N_LIMBS - 1)
        return [int.from_bytes(row.tobytes(), "little") + (int(top) << top_shift)
                for row, top in zip(low, limbs[:, -1].tolist())]

    def values(self, n_groups: int) -> np.ndarray:
        """Every group's sum as a :class:`Total`, (n_groups,) of dtype object."""
        totals = self.integers(n_groups)
        out = np.empty(n_groups, dtype=object)
        out[:] = [Total(total, _special(*special)) for total, special in zip(totals, self.special[:n_groups].tolist())]
        return out
