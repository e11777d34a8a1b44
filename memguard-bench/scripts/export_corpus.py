#!/usr/bin/python3
"""Export the memguard benchmark corpus (public datasets shipped with Debian's python3-statsmodels
0.13.5 and python3-sklearn 1.2.1) as CSV files plus seed-0 test-index files.

Usage: /usr/bin/python3 export_corpus.py OUT_DIR

Format: header row; feature columns first (all numeric), `target` last. Feature values are written
as repr(float(v)) (shortest round-trip repr, so Double.parseDouble gives back the same double;
integers appear as e.g. `3.0`). Regression targets are written the same way; classification
targets are written as integer class labels 0..k-1. Rows keep the dataset's original order.

Split file <name>_seed0_test_idx.txt: n_test = max(1, round(0.2 * n)) indices,
numpy.random.RandomState(0).permutation(n)[:n_test], sorted ascending, one per line.
"""
import json
import os
import re
import sys
import warnings

import numpy as np
import pandas as pd

warnings.simplefilter("ignore")
import statsmodels.datasets as smd  # noqa: E402
from sklearn.datasets import load_iris, load_wine  # noqa: E402


def ident(name):
    """Column name -> plain identifier (letters, digits, underscore)."""
    s = re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_")
    if s[0].isdigit():
        s = "x" + s
    return s


def drop_na(df, name, notes):
    n0 = len(df)
    df = df.dropna(axis=0, how="any")
    notes.append(f"{n0 - len(df)} rows with missing values dropped")
    return df.reset_index(drop=True)


def one_hot(df, col, prefix, labels):
    """Replace df[col] in place by 0/1 columns `<prefix>_<label>`, one per category, in the order of
    `labels` (a dict value -> suffix)."""
    pos = list(df.columns).index(col)
    new = pd.DataFrame({f"{prefix}_{suf}": (df[col] == val).astype(np.float64) for val, suf in labels.items()},
                       index=df.index)
    assert (new.sum(axis=1) == 1).all(), f"unmapped categories in {col}"
    left, right = df.iloc[:, :pos], df.iloc[:, pos + 1:]
    return pd.concat([left, new, right], axis=1)


def build():
    """Returns a list of dicts: name, X (DataFrame), y (Series), task, classes, notes, source."""
    out = []

    # --- statsmodels ------------------------------------------------------------------------
    # randhie: target mdvis, the other 9 columns as features
    df = smd.randhie.load_pandas().data
    notes = []
    df = drop_na(df, "randhie", notes)
    out.append(dict(name="randhie", X=df.drop(columns=["mdvis"]), y=df["mdvis"], task="regression",
                    target_desc="mdvis (number of outpatient visits to an MD)", notes=notes,
                    module="randhie"))

    # anes96: statsmodels' endog PID (party identification, 7 ordered categories 0..6) as a
    # 7-class classification target (statsmodels' own example fits MNLogit of PID); other 10 columns
    # as features (logpopul = log(popul + 0.1) is kept: it is part of the dataset as shipped).
    ds = smd.anes96.load_pandas()
    df = ds.data
    notes = []
    df = drop_na(df, "anes96", notes)
    assert ds.endog_name == "PID"
    y = df["PID"].astype(int)
    assert sorted(y.unique()) == list(range(7))
    out.append(dict(name="anes96", X=df.drop(columns=["PID"]), y=y, task="classification",
                    target_desc="PID (party identification, 0 strong Democrat .. 6 strong Republican; statsmodels' endog)",
                    notes=notes, module="anes96"))

    # macrodata: target realinv (real gross private domestic investment); the other 13 series as
    # features. No column is an identity of realinv (the national-accounts identity needs state/local
    # government and net exports too: a linear fit of realinv on realgdp, realcons, realgovt gives only
    # R^2 = 0.968). realcons was not taken as target: realgdp alone explains it with R^2 = 0.9985.
    df = smd.macrodata.load_pandas().data
    notes = []
    df = drop_na(df, "macrodata", notes)
    out.append(dict(name="macrodata", X=df.drop(columns=["realinv"]), y=df["realinv"], task="regression",
                    target_desc="realinv (real gross private domestic investment, bn chained 2005 USD)",
                    notes=notes, module="macrodata"))

    # scotland: endog YES
    df = smd.scotland.load_pandas().data
    notes = []
    df = drop_na(df, "scotland", notes)
    out.append(dict(name="scotland", X=df.drop(columns=["YES"]), y=df["YES"], task="regression",
                    target_desc="YES (proportion voting yes)", notes=notes, module="scotland"))

    # stackloss: STACKLOSS
    df = smd.stackloss.load_pandas().data
    notes = []
    df = drop_na(df, "stackloss", notes)
    out.append(dict(name="stackloss", X=df.drop(columns=["STACKLOSS"]), y=df["STACKLOSS"], task="regression",
                    target_desc="STACKLOSS", notes=notes, module="stackloss"))

    # engel: foodexp from income (statsmodels' endog_name is income; the quantile-regression
    # example in statsmodels' docs regresses foodexp on income)
    df = smd.engel.load_pandas().data
    notes = []
    df = drop_na(df, "engel", notes)
    out.append(dict(name="engel", X=df[["income"]], y=df["foodexp"], task="regression",
                    target_desc="foodexp (annual household food expenditure)", notes=notes, module="engel"))

    # grunfeld: invest; firm one-hot (all 11 firms, in statsmodels' listed order), year numeric
    df = smd.grunfeld.load_pandas().data
    notes = []
    df = drop_na(df, "grunfeld", notes)
    firms = list(pd.unique(df["firm"]))  # order of first appearance = the order in the NOTE
    labels = {f: ident(f).replace("_", "") for f in firms}
    X = one_hot(df.drop(columns=["invest"]), "firm", "firm", labels)
    notes.append("`firm` (11 names) one-hot encoded as " + ", ".join(f"`firm_{labels[f]}`" for f in firms))
    out.append(dict(name="grunfeld", X=X, y=df["invest"], task="regression",
                    target_desc="invest (gross investment, 1947 USD)", notes=notes, module="grunfeld"))

    # spector: GRADE (binary)
    df = smd.spector.load_pandas().data
    notes = []
    df = drop_na(df, "spector", notes)
    y = df["GRADE"].astype(int)
    out.append(dict(name="spector", X=df.drop(columns=["GRADE"]), y=y, task="classification",
                    target_desc="GRADE (1 = grade improved)", notes=notes, module="spector"))

    # --- extra statsmodels datasets ---------------------------------------------------------------
    # fair: 6366 rows. statsmodels' own Logit example (docs, "Discrete choice models") uses
    # affair = (affairs > 0); we use that binary target (the continuous `affairs` is censored at 0).
    df = smd.fair.load_pandas().data
    notes = []
    df = drop_na(df, "fair", notes)
    y = (df["affairs"] > 0).astype(int)
    notes.append("target = 1 if `affairs` > 0 else 0 (as in statsmodels' Logit example); `affairs` dropped")
    out.append(dict(name="fair", X=df.drop(columns=["affairs"]), y=y, task="classification",
                    target_desc="affairs > 0", notes=notes, module="fair"))

    # star98: 303 rows x 20 features. statsmodels' endog is (NABOVE, NBELOW) for a binomial GLM;
    # target = NABOVE / (NABOVE + NBELOW), the share of 9th graders above the national median in
    # maths (what the binomial GLM models). The 12 explanatory variables and the 8 interaction
    # columns of the dataset are kept.
    df = smd.star98.load_pandas().data
    notes = []
    df = drop_na(df, "star98", notes)
    y = df["NABOVE"] / (df["NABOVE"] + df["NBELOW"])
    notes.append("target = NABOVE / (NABOVE + NBELOW); NABOVE and NBELOW dropped")
    out.append(dict(name="star98", X=df.drop(columns=["NABOVE", "NBELOW"]), y=y, task="regression",
                    target_desc="NABOVE / (NABOVE + NBELOW)", notes=notes, module="star98"))

    # longley: endog TOTEMP, 16 rows, highly collinear
    df = smd.longley.load_pandas().data
    notes = []
    df = drop_na(df, "longley", notes)
    out.append(dict(name="longley", X=df.drop(columns=["TOTEMP"]), y=df["TOTEMP"], task="regression",
                    target_desc="TOTEMP (total employment)", notes=notes, module="longley"))

    # modechoice: endog choice (0/1, was this travel mode chosen); mode one-hot; the id column
    # `individual` dropped. 4 rows per traveller (one per mode); the random split ignores the grouping.
    df = smd.modechoice.load_pandas().data
    notes = []
    df = drop_na(df, "modechoice", notes)
    y = df["choice"].astype(int)
    X = df.drop(columns=["choice", "individual"])
    X = one_hot(X, "mode", "mode", {1.0: "air", 2.0: "train", 3.0: "bus", 4.0: "car"})
    notes.append("`individual` (traveller id 1..210) dropped; `mode` (1..4) one-hot encoded as "
                 "`mode_air`, `mode_train`, `mode_bus`, `mode_car`")
    out.append(dict(name="modechoice", X=X, y=y, task="classification",
                    target_desc="choice (1 = this mode was chosen)", notes=notes, module="modechoice"))

    # --- sklearn bundled files -------------------------------------------------------------------------
    for name, loader in (("wine", load_wine), ("iris", load_iris)):
        b = loader()
        cols = [ident(c) for c in b.feature_names]
        X = pd.DataFrame(b.data, columns=cols)
        y = pd.Series(b.target.astype(int))
        notes = ["0 rows with missing values dropped"]
        ren = [f"`{c}` -> `{n}`" for c, n in zip(b.feature_names, cols) if c != n]
        if ren:
            notes.append("columns renamed to identifiers: " + ", ".join(ren))
        notes.append("target = class index " + ", ".join(f"{i} = {t}" for i, t in enumerate(b.target_names)))
        out.append(dict(name=name, X=X, y=y, task="classification",
                        target_desc="class", notes=notes, module=None))
    return out


def split_idx(n):
    n_test = max(1, int(round(0.2 * n)))
    return np.sort(np.random.RandomState(0).permutation(n)[:n_test])


def write(d, out_dir):
    X, y = d["X"], d["y"]
    assert "target" not in X.columns
    assert len(X) == len(y)
    for c in X.columns:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", c), c
        assert pd.api.types.is_numeric_dtype(X[c]), c
    Xv = X.to_numpy(dtype=np.float64)
    assert np.isfinite(Xv).all()
    if d["task"] == "classification":
        yv = np.asarray(y, dtype=np.int64)
        k = len(np.unique(yv))
        assert sorted(np.unique(yv)) == list(range(k))
        ystr = [str(int(v)) for v in yv]
        d["classes"] = k
    else:
        yf = np.asarray(y, dtype=np.float64)
        assert np.isfinite(yf).all()
        ystr = [repr(float(v)) for v in yf]
    path = os.path.join(out_dir, d["name"] + ".csv")
    with open(path, "w", newline="\n") as f:
        f.write(",".join(list(X.columns) + ["target"]) + "\n")
        for row, t in zip(Xv, ystr):
            f.write(",".join(repr(float(v)) for v in row) + "," + t + "\n")
    idx = split_idx(len(X))
    with open(os.path.join(out_dir, d["name"] + "_seed0_test_idx.txt"), "w", newline="\n") as f:
        for i in idx:
            f.write(f"{int(i)}\n")
    # round-trip check
    back = pd.read_csv(path, float_precision="round_trip")
    assert np.array_equal(back.drop(columns=["target"]).to_numpy(dtype=np.float64), Xv)
    return dict(name=d["name"], rows=len(X), features=X.shape[1], task=d["task"], classes=d.get("classes"),
                n_test=len(idx), columns=list(X.columns), target=d["target_desc"], notes=d["notes"])


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    # sanity check of the split rule against the shared diabetes split (442 rows, 88 test rows)
    shared = "/work/shared/data/splits/diabetes_seed0_test_idx.txt"
    if os.path.exists(shared):
        assert np.array_equal(np.loadtxt(shared, dtype=int), split_idx(442)), "split rule differs from shared"
    summary = [write(d, out_dir) for d in build()]
    for s in summary:
        print(json.dumps(s))


if __name__ == "__main__":
    main()
