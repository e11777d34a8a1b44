#!/usr/bin/python3
"""One autofeat 2.1.3 reference run; prints one JSON line on stdout (autofeat's log goes to stderr).

Usage: PYTHONHASHSEED=0 PYTHONPATH=AUTOFEAT_CHECKOUT/src \
       /usr/bin/python3 run_reference.py CSV TEST_IDX STEPS {regression|classification}

CSV: header row, `target` column, every other column a numeric feature.
TEST_IDX: 0-based test row indices, one per line; the other rows (file order) are the training rows.
Model: AutoFeatRegressor / AutoFeatClassifier(feateng_steps=STEPS, verbose=1), all other arguments default
(featsel_runs=5, n_jobs=1, ...). fit seconds = wall time of fit_transform(X_train, y_train) only.
AUTOFEAT_SEED_OFFSET=k (optional) adds k to the seed of each selection run (see below).
AUTOFEAT_CATEGORICAL=COL,... (optional) names columns for autofeat's categorical_cols.
AUTOFEAT_FEATENG=COL,... (optional) names autofeat's feateng_cols.
AUTOFEAT_UNITS=COL=UNIT,... (optional) gives autofeat's units; AUTOFEAT_PI=0 turns apply_pi_theorem off.
Score = model.score(X_test, y_test): R^2 (LassoLarsCV.score) for regression, accuracy
(LogisticRegressionCV.score) for classification.
candidates = columns handed from feature engineering to feature selection, minus the original columns
(after autofeat's correlation filtering); candidates_logged = the number autofeat logs as
"Generated a total of N additional features" (before its last correlation filter against the originals).
"""
import json
import logging
import os
import sys
import time


def vm_hwm_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return None


def main():
    csv_path, idx_path, steps, task = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    assert task in ("regression", "classification")
    # autofeat prints progress to stdout (print(..., end="\r")): send that to stderr, keep stdout for
    # the one JSON line
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    rec = dict(dataset=os.path.basename(csv_path)[:-4], csv=csv_path, steps=steps, task=task,
               pythonhashseed=os.environ.get("PYTHONHASHSEED"))
    try:
        import numpy as np
        import pandas as pd

        import autofeat
        import autofeat.autofeat as afmod

        # AUTOFEAT_SEED_OFFSET=k: autofeat seeds selection run i with np.random.seed(i); this adds k to
        # each seed, to see how much the score moves with the random draws alone (0: autofeat as is)
        seed_offset = int(os.environ.get("AUTOFEAT_SEED_OFFSET", "0"))
        rec["seed_offset"] = seed_offset
        if seed_offset:
            np_seed = np.random.seed
            np.random.seed = lambda s=None: np_seed(None if s is None else s + seed_offset)

        rec["autofeat"] = autofeat.__version__
        rec["autofeat_file"] = autofeat.__file__
        rss_after_import = vm_hwm_mib()

        # record what feature engineering hands to feature selection (wrapper, no change to autofeat)
        info = {}
        orig_engineer = afmod.engineer_features

        def engineer_features(df_org, start_features=None, *args, **kwargs):
            df, pool = orig_engineer(df_org, start_features, *args, **kwargs)
            info["fs_input_cols"] = df.shape[1]
            info["start_cols"] = df_org.shape[1]
            return df, pool

        afmod.engineer_features = engineer_features

        class Grab(logging.Handler):
            def emit(self, record):
                msg = record.getMessage()
                if "Generated a total of" in msg:
                    info["logged"] = int(msg.split("Generated a total of")[1].split()[0])
                if "features after" in msg and "[featsel]" in msg:
                    info.setdefault("featsel_counts", []).append(msg.split("[featsel]")[1].strip())

        logging.getLogger().addHandler(Grab(level=logging.INFO))

        categorical = [c for c in os.environ.get("AUTOFEAT_CATEGORICAL", "").split(",") if c]
        rec["categorical_cols"] = categorical
        feateng = [c for c in os.environ.get("AUTOFEAT_FEATENG", "").split(",") if c]
        rec["feateng_cols"] = feateng
        units = dict(p.split("=", 1) for p in os.environ.get("AUTOFEAT_UNITS", "").split(",") if p)
        rec["units"] = units
        pi = os.environ.get("AUTOFEAT_PI", "1") != "0"
        # read as a Python user would: a column of numbers stays numeric (the encoder then orders its
        # categories numerically, as memguard does), a column of text is strings
        df = pd.read_csv(csv_path, float_precision="round_trip")
        test_idx = np.loadtxt(idx_path, dtype=int, ndmin=1)
        is_test = np.zeros(len(df), dtype=bool)
        is_test[test_idx] = True
        X = df.drop(columns=["target"])
        y = df["target"].to_numpy()
        if task == "classification":
            y = y.astype(int)
        X_train, X_test = X[~is_test].reset_index(drop=True), X[is_test].reset_index(drop=True)
        y_train, y_test = y[~is_test], y[is_test]
        rec.update(rows=len(df), features=X.shape[1], n_train=len(X_train), n_test=len(X_test))

        if task == "regression":
            model = autofeat.AutoFeatRegressor(feateng_steps=steps, verbose=1,
                                               categorical_cols=categorical or None,
                                               feateng_cols=feateng or None,
                                               units=units or None, apply_pi_theorem=pi)
        else:
            model = autofeat.AutoFeatClassifier(feateng_steps=steps, verbose=1,
                                                categorical_cols=categorical or None,
                                                feateng_cols=feateng or None,
                                                units=units or None, apply_pi_theorem=pi)
        t0 = time.perf_counter()
        model.fit_transform(X_train, y_train)
        rec["fit_s"] = round(time.perf_counter() - t0, 3)

        rec["test_score"] = float(model.score(X_test, y_test))
        y_pred = model.predict(X_test)
        if task == "regression":
            from sklearn.metrics import r2_score

            rec["test_r2_check"] = float(r2_score(y_test, y_pred))
        else:
            rec["test_acc_check"] = float(np.mean(np.asarray(y_pred) == y_test))
        rec["candidates"] = info.get("fs_input_cols", 0) - info.get("start_cols", 0)
        rec["candidates_logged"] = info.get("logged")
        rec["featsel_counts"] = info.get("featsel_counts")
        rec["selected_new"] = len(model.new_feat_cols_)
        rec["selected_total"] = len(model.good_cols_)
        coef = np.atleast_2d(model.prediction_model_.coef_)
        rec["nonzero_coef_cols"] = int(np.sum(np.any(np.abs(coef) > 0, axis=0)))
        rec["new_feat_cols"] = [str(c) for c in model.new_feat_cols_]
        rec["good_cols"] = [str(c) for c in model.good_cols_]
        rec["status"] = "ok"
        rec["rss_after_import_mib"] = round(rss_after_import, 1)
    except BaseException as e:  # noqa: BLE001
        import traceback

        rec["status"] = "error"
        rec["error"] = "".join(traceback.format_exception(type(e), e, e.__traceback__)[-6:])[-2000:]
    rec["peak_rss_mib"] = round(vm_hwm_mib(), 1)
    sys.stdout = real_stdout
    print(json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
