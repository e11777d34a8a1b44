#!/usr/bin/python3
"""Export held-out data sets (never fitted while memguard was developed) in the corpus's CSV format:
features first, `target` last, repr(float) cells; split file <name>_seed0_test_idx.txt with
round(0.2 n) indices of numpy.random.RandomState(0).permutation(n), sorted.
Usage: /usr/bin/python3 export_heldout.py OUT_DIR"""
import os, sys, warnings
import numpy as np
warnings.simplefilter("ignore")
import statsmodels.datasets as smd
from sklearn.datasets import load_breast_cancer, load_linnerud


def sm(module, target, drop=()):
    d = getattr(smd, module).load_pandas().data.dropna().reset_index(drop=True)
    return d.drop(columns=[target, *drop]), d[target]


def build():
    out = []
    for name, module, target, drop in [
        ("cpunish", "cpunish", "EXECUTIONS", ()),
        ("copper", "copper", "WORLDCONSUMPTION", ()),
        ("ccard", "ccard", "AVGEXP", ()),
        ("committee", "committee", "BILLS104", ()),
        ("statecrime", "statecrime", "murder", ()),
        ("heart", "heart", "survival", ()),
        ("elnino", "elnino", "DEC", ()),
        ("danish", "danish_data", "lrm", ()),
        ("inflation", "interest_inflation", "Dp", ()),
        ("cancer", "cancer", "cancer", ()),
        ("strikes", "strikes", "duration", ()),
    ]:
        X, y = sm(module, target, drop)
        out.append((name, X, y, "regression"))
    l = load_linnerud(as_frame=True)
    out.append(("linnerud", l.data, l.target["Weight"], "regression"))
    b = load_breast_cancer(as_frame=True)
    X = b.data.copy()
    X.columns = ["c%02d" % i for i in range(X.shape[1])]
    out.append(("breastcancer", X, b.target, "classification"))
    return out


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    for name, X, y, task in build():
        n = len(X)
        with open(os.path.join(outdir, name + ".csv"), "w") as f:
            f.write(",".join([*map(str, X.columns), "target"]) + "\n")
            for i in range(n):
                cells = [repr(float(v)) for v in X.iloc[i].to_numpy()]
                t = str(int(y.iloc[i])) if task == "classification" else repr(float(y.iloc[i]))
                f.write(",".join(cells + [t]) + "\n")
        n_test = max(1, int(round(0.2 * n)))
        idx = np.sort(np.random.RandomState(0).permutation(n)[:n_test])
        with open(os.path.join(outdir, name + "_seed0_test_idx.txt"), "w") as f:
            f.write("\n".join(map(str, idx)) + "\n")
        print(name, task, X.shape)


main()
