"""Generate the small sample files used to try out ``losscli``.

Run from anywhere (files are written next to this script)::

    python sample_data/make_samples.py

Every file is produced from a fixed random seed, so rerunning the script
rewrites byte-identical files. The data is synthetic but shaped like real
model outputs: mostly reasonable predictions, some larger errors and a few
confident mistakes.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

OUT_DIR = Path(__file__).resolve().parent
SEED = 20240601
FLOAT_FORMAT = "%.6g"


# --------------------------------------------------------------------------- helpers


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def write_text_table(df: pd.DataFrame, name: str, sep: str = ",") -> None:
    """Write CSV/TSV with '\\n' line endings (same bytes on every platform)."""
    text = df.to_csv(sep=sep, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    data = text.encode("utf-8")
    if name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)  # mtime=0: no timestamp in the gzip header
    (OUT_DIR / name).write_bytes(data)


def write_parquet(df: pd.DataFrame, name: str) -> None:
    """Write plain columns (no pandas index/metadata) with pyarrow."""
    table = pa.table({col: pa.array(df[col].to_numpy()) for col in df.columns})
    pq.write_table(table, OUT_DIR / name)


# --------------------------------------------------------------------------- regression


def temperature_forecast(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Forecast vs observed daily mean temperature (degC) over spring/summer."""
    day = np.arange(n)
    season = 14.0 + 9.0 * np.sin(2 * np.pi * (day + 60) / 365)
    target = season + rng.normal(0.0, 3.0, n)  # weather on top of the season
    pred = season + 0.7 * (target - season) + rng.normal(0.0, 1.0, n)
    busted = rng.choice(n, size=5, replace=False)  # a few badly missed days
    pred[busted] += rng.choice([-1.0, 1.0], size=5) * rng.uniform(4.0, 8.0, size=5)
    return pred.round(2), target.round(1)


def make_regression_csv(rng: np.random.Generator, n: int = 120) -> None:
    pred, target = temperature_forecast(rng, n)
    weight = rng.uniform(0.5, 2.0, n).round(3)
    df = pd.DataFrame({"id": np.arange(1, n + 1), "pred": pred, "target": target, "weight": weight})
    write_text_table(df, "regression.csv")


def make_regression_parquet(rng: np.random.Generator, n: int = 120) -> None:
    pred, target = temperature_forecast(rng, n)
    df = pd.DataFrame({"id": np.arange(1, n + 1, dtype=np.int64), "pred": pred, "target": target})
    write_parquet(df, "regression.parquet")


def make_regression_multi(rng: np.random.Generator, n: int = 100) -> None:
    """Predicted vs true 2-D positions (metres) of objects on a 50 m x 30 m floor."""
    target = np.column_stack([rng.uniform(0.0, 50.0, n), rng.uniform(0.0, 30.0, n)])
    pred = target + rng.normal(0.0, 0.6, size=(n, 2))
    lost = rng.choice(n, size=4, replace=False)  # tracker lost a few objects
    pred[lost] += rng.normal(0.0, 4.0, size=(4, 2))
    pred, target = pred.round(3), target.round(3)
    df = pd.DataFrame(
        {
            "id": np.arange(1, n + 1, dtype=np.int64),
            "pred_x": pred[:, 0],
            "pred_y": pred[:, 1],
            "target_x": target[:, 0],
            "target_y": target[:, 1],
        }
    )
    write_parquet(df, "regression_multi.parquet")


def make_regression_tsv_gz(rng: np.random.Generator, n: int = 80) -> None:
    """Predicted vs metered hourly household electricity use (kWh)."""
    hour = np.arange(n) % 24
    profile = 0.6 + 0.9 * np.exp(-((hour - 8) ** 2) / 4) + 1.6 * np.exp(-((hour - 19) ** 2) / 6)
    target = np.clip(profile * rng.lognormal(0.0, 0.25, n), 0.05, None)
    pred = np.clip(profile * rng.lognormal(0.0, 0.1, n), 0.05, None)
    spikes = rng.choice(n, size=3, replace=False)  # unexpected appliance use
    target[spikes] += rng.uniform(1.5, 3.0, size=3)
    df = pd.DataFrame({"pred": pred.round(3), "target": target.round(3)})
    write_text_table(df, "regression.tsv.gz", sep="\t")


# --------------------------------------------------------------------------- classification


def noisy_binary_scores(rng: np.random.Generator, label: np.ndarray, sep: float, sd: float) -> np.ndarray:
    """Logit-like scores: positives centred at +sep, negatives at -sep."""
    return np.where(label == 1, sep, -sep) + rng.normal(0.0, sd, label.size)


def make_binary_probs(rng: np.random.Generator, n: int = 150) -> None:
    label = (rng.random(n) < 0.4).astype(np.int64)
    prob = sigmoid(noisy_binary_scores(rng, label, sep=1.8, sd=1.5))
    idx = rng.permutation(n)
    # confident mistakes: probability far on the wrong side
    for i in idx[:6]:
        prob[i] = rng.uniform(0.96, 0.995) if label[i] == 0 else rng.uniform(0.005, 0.04)
    prob = prob.round(6).clip(1e-6, 1 - 1e-6)
    # exact 0.0 / 1.0 on *correct* rows: finite loss, but log(0) must be handled
    zero_rows = [i for i in idx[6:] if label[i] == 0][:2]
    one_rows = [i for i in idx[6:] if label[i] == 1][:2]
    prob[zero_rows] = 0.0
    prob[one_rows] = 1.0
    df = pd.DataFrame({"id": np.arange(1, n + 1), "pred": prob, "label": label})
    write_text_table(df, "binary_probs.csv")


def make_binary_logits(rng: np.random.Generator, n: int = 150) -> None:
    label = (rng.random(n) < 0.5).astype(np.int64)
    logit = noisy_binary_scores(rng, label, sep=1.5, sd=1.6)
    wrong = rng.choice(n, size=5, replace=False)  # confident mistakes
    logit[wrong] = np.where(label[wrong] == 1, -1.0, 1.0) * rng.uniform(3.5, 5.5, size=5)
    df = pd.DataFrame({"id": np.arange(1, n + 1), "pred": logit.round(4), "label": label})
    write_text_table(df, "binary_logits.csv")


def class_logits(rng: np.random.Generator, label: np.ndarray, k: int, boost: float, n_wrong: int) -> np.ndarray:
    """Unnormalised class scores: true class boosted, plus a few confident mistakes."""
    n = label.size
    logits = rng.normal(0.0, 0.9, size=(n, k))
    logits[np.arange(n), label] += boost
    wrong = rng.choice(n, size=n_wrong, replace=False)
    other = (label[wrong] + rng.integers(1, k, size=n_wrong)) % k
    logits[wrong, other] += boost + 1.0
    return logits


def make_multiclass_csv(rng: np.random.Generator, n: int = 150) -> None:
    label = rng.choice(3, size=n, p=[0.4, 0.35, 0.25]).astype(np.int64)  # 0=cat 1=dog 2=bird
    logits = class_logits(rng, label, k=3, boost=1.8, n_wrong=6).round(4)
    df = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "p_cat": logits[:, 0],
            "p_dog": logits[:, 1],
            "p_bird": logits[:, 2],
            "label": label,
        }
    )
    write_text_table(df, "multiclass.csv")


def make_multiclass_npy(rng: np.random.Generator, n: int = 120) -> None:
    label = rng.integers(0, 4, size=n).astype(np.int64)
    logits = class_logits(rng, label, k=4, boost=2.0, n_wrong=5).astype(np.float64)
    np.save(OUT_DIR / "multiclass_logits.npy", logits, allow_pickle=False)
    np.save(OUT_DIR / "multiclass_labels.npy", label, allow_pickle=False)


def make_multilabel(rng: np.random.Generator, n: int = 100, k: int = 5) -> None:
    prevalence = np.array([0.5, 0.3, 0.2, 0.1, 0.4])
    target = (rng.random((n, k)) < prevalence).astype(np.int64)
    scores = np.where(target == 1, 1.5, -1.5) + rng.normal(0.0, 1.3, size=(n, k))
    pred = np.clip(sigmoid(scores), 1e-6, 1 - 1e-6).astype(np.float64)
    weight = rng.uniform(0.5, 2.0, n).astype(np.float64)
    np.savez(OUT_DIR / "multilabel.npz", pred=pred, target=target, weight=weight)


# --------------------------------------------------------------------------- distributions / pairs


def make_distributions(rng: np.random.Generator, n: int = 80, k: int = 6) -> None:
    target = rng.dirichlet(np.full(k, 1.5), size=n)
    target /= target.sum(axis=1, keepdims=True)
    # prediction: target perturbed in log space, then renormalised (strictly positive)
    pred = softmax(np.log(target) + rng.normal(0.0, 0.35, size=(n, k)))
    pred /= pred.sum(axis=1, keepdims=True)
    np.savez(OUT_DIR / "distributions.npz", pred=pred, target=target)


def make_pairs(rng: np.random.Generator, n: int = 120) -> None:
    """Embedding distances for similar (1) and dissimilar (0) pairs."""
    label = (rng.random(n) < 0.5).astype(np.int64)
    dist = np.where(
        label == 1,
        rng.gamma(shape=3.0, scale=0.15, size=n),  # similar: mostly 0.1-0.9
        rng.normal(1.45, 0.35, size=n),  # dissimilar: mostly beyond margin 1.0
    )
    hard = rng.choice(n, size=6, replace=False)  # hard pairs on the wrong side
    dist[hard] = np.where(label[hard] == 1, rng.uniform(1.1, 1.8, 6), rng.uniform(0.2, 0.6, 6))
    dist = np.clip(dist, 0.0, 2.5).round(4)
    df = pd.DataFrame({"pair_id": np.arange(1, n + 1), "distance": dist, "label": label})
    write_text_table(df, "pairs.tsv", sep="\t")


def make_gaussian(rng: np.random.Generator, n: int = 100) -> None:
    """A model predicting a mean and a variance per sample (heteroscedastic regression)."""
    var = rng.uniform(0.2, 3.0, n).round(4)
    mean = rng.normal(10.0, 4.0, n)
    target = mean + rng.normal(0.0, np.sqrt(var) * rng.uniform(0.7, 1.5, n))
    df = pd.DataFrame({"id": np.arange(1, n + 1), "pred": mean.round(4), "target": target.round(4), "var": var})
    write_text_table(df, "gaussian.csv")


def make_triplets(rng: np.random.Generator, n: int = 90, dim: int = 8) -> None:
    """Face-embedding style triplets: anchor, same identity, another identity."""
    anchor = rng.normal(0.0, 1.0, (n, dim))
    positive = anchor + rng.normal(0.0, 0.35, (n, dim))
    negative = rng.normal(0.0, 1.0, (n, dim))
    hard = rng.choice(n, size=8, replace=False)  # a few negatives that look alike
    negative[hard] = anchor[hard] + rng.normal(0.0, 0.4, (8, dim))
    np.savez(OUT_DIR / "triplets.npz", anchor=anchor, positive=positive, negative=negative)


# --------------------------------------------------------------------------- two runs to compare


def make_forecast_runs(rng: np.random.Generator, n: int = 400) -> None:
    """Next-day demand (MWh) at three stations: shared targets and two model runs.

    The new run is better at 'north' and 'south' but worse at 'coast' (its new feature misfires
    there), so `losscli compare ... --group-by station` shows where it got worse.
    """
    station = rng.choice(["north", "south", "coast"], size=n, p=[0.4, 0.35, 0.25])
    target = rng.gamma(9.0, 5.0, n)
    base = target + rng.normal(0.0, 4.0, n)
    new = target + rng.normal(0.0, 3.4, n)
    coast = station == "coast"
    new[coast] += rng.normal(2.5, 3.0, int(coast.sum()))
    ids = [f"d{i:04d}" for i in range(1, n + 1)]
    write_text_table(pd.DataFrame({"id": ids, "station": station, "target": target.round(2)}), "forecast_targets.csv")
    write_text_table(pd.DataFrame({"id": ids, "pred": base.round(2)}), "forecast_base.csv")
    write_text_table(pd.DataFrame({"id": ids, "pred": new.round(2)}), "forecast_new.csv")


def make_pets(rng: np.random.Generator, n: int = 60) -> None:
    """Cat/dog/fox classifier output with text labels, the way a model export often looks (for sklearn.*)."""
    classes = np.array(["cat", "dog", "fox"])
    index = rng.choice(3, size=n, p=[0.45, 0.4, 0.15])
    prob = softmax(class_logits(rng, index, 3, boost=2.2, n_wrong=5))
    df = pd.DataFrame({"id": np.arange(1, n + 1), "p_cat": prob[:, 0], "p_dog": prob[:, 1], "p_fox": prob[:, 2],
                       "label": classes[index]})
    write_text_table(df, "pets.csv")


def main() -> None:
    makers = [
        make_regression_csv,
        make_regression_parquet,
        make_regression_multi,
        make_regression_tsv_gz,
        make_binary_probs,
        make_binary_logits,
        make_multiclass_csv,
        make_multiclass_npy,
        make_multilabel,
        make_distributions,
        make_pairs,
        make_gaussian,
        make_triplets,
        make_forecast_runs,
        make_pets,
    ]
    # one independent stream per file, so editing one generator leaves the others unchanged
    streams = np.random.SeedSequence(SEED).spawn(len(makers))
    for make, stream in zip(makers, streams):
        make(np.random.default_rng(stream))
    print(f"wrote sample files to {OUT_DIR}")


if __name__ == "__main__":
    main()
