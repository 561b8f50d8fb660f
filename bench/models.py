"""Model benchmark: daihou's scorecard and self-tuned gbdt beside
scikit-learn and xgboost on every data set of the corpus (bench/mkcorpus),
on identical splits, and daihou model score against pandas + xgboost on the
300,000-row Taiwan file. Run through bench/models.sh, which builds daihou
and the corpus first.

Fit time is the fit alone for every model (daihou's from the artefact, the
peers' around fit()); score time is the whole `daihou model score` process
on the test file against predict_proba on a DataFrame already in memory.
"""
import json, os, subprocess, sys, tempfile, time

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score, roc_curve


def ks(y, p):
    fpr, tpr, _ = roc_curve(y, p)
    return float(np.max(np.abs(tpr - fpr)))


def frame(path, target, exclude, cats=None):
    df = pd.read_csv(path, low_memory=False)
    y = df[target].to_numpy()
    X = df.drop(columns=[target] + [c for c in exclude if c in df.columns])
    if cats is None:
        cats = [c for c in X.columns if X[c].dtype == object]
    for c in cats:
        X[c] = X[c].astype("category")
    return X, y, cats


def peers(d, s):
    X, y, cats = frame(os.path.join(d, s["name"] + "_train.csv"), s["target"], s["exclude"])
    Xt, yt, _ = frame(os.path.join(d, s["name"] + "_test.csv"), s["target"], s["exclude"], cats)
    for c in cats:
        # The test fold's categories coded as the training fold's.
        Xt[c] = pd.Categorical(Xt[c], categories=X[c].cat.categories)
    out = []
    # HistGradientBoosting takes at most 255 levels as a category; codes of
    # larger ones are given to it as numbers.
    mask = [X[c].dtype.name == "category" and len(X[c].cat.categories) <= 255 for c in X.columns]
    Xh, Xth = X.copy(), Xt.copy()
    for c in cats:
        Xh[c], Xth[c] = X[c].cat.codes.replace(-1, np.nan), Xt[c].cat.codes.replace(-1, np.nan)
    models = [
        ("scikit-learn HistGradientBoosting (defaults)", lambda: HistGradientBoostingClassifier(categorical_features=mask if any(mask) else None, random_state=0), Xh, Xth),
        ("xgboost 300 trees, depth 4, lr 0.05", lambda: xgb.XGBClassifier(n_estimators=300, max_depth=4, learning_rate=0.05, subsample=0.8, tree_method="hist", enable_categorical=True, n_jobs=2, random_state=0), X, Xt),
        ("xgboost 600 trees, depth 6, lr 0.05", lambda: xgb.XGBClassifier(n_estimators=600, max_depth=6, learning_rate=0.05, tree_method="hist", enable_categorical=True, n_jobs=2, random_state=0), X, Xt),
    ]
    for name, make, a, b in models:
        m = make()
        t = time.perf_counter(); m.fit(a, y); fit = time.perf_counter() - t
        t = time.perf_counter(); p = m.predict_proba(b)[:, 1]; score = time.perf_counter() - t
        out.append(dict(model=name, auc=roc_auc_score(yt, p), ks=ks(yt, p), fit=fit, score=score))
    return out


def daihou(bin, d, s, kind, work):
    train = os.path.join(d, s["name"] + "_train.csv")
    test = os.path.join(d, s["name"] + "_test.csv")
    model = os.path.join(work, "%s_%s.json" % (s["name"], kind))
    subprocess.run([bin, "model", "train", "--data", train, "--target", s["target"], "--exclude", ",".join(s["exclude"]),
                    "--kind", kind, "--out", model], check=True, stdout=subprocess.DEVNULL)
    fit = json.load(open(model))["training"]["fit_seconds"]
    ev = json.loads(subprocess.run([bin, "model", "eval", "--model", model, "--data", test, "--json"], check=True,
                                   capture_output=True, text=True).stdout)
    t = time.perf_counter()
    subprocess.run([bin, "model", "score", "--model", model, "--data", test, "--out", os.path.join(work, "scores.csv")],
                   check=True, stderr=subprocess.DEVNULL)
    score = time.perf_counter() - t
    label = "daihou scorecard" if kind == "scorecard" else "daihou gbdt (self-tuned)"
    return dict(model=label, auc=ev["auc"], ks=ev["ks"], fit=fit, score=score, brier=ev["brier"], brier_raw=ev["brier_raw"])


def score_taiwan(bin, d, work, rounds=3):
    """daihou model score against pandas read_csv + xgboost predict_proba on
    Taiwan repeated to 300,000 rows; medians of `rounds` runs each."""
    big = os.path.join(work, "taiwan300k.csv")
    rows = open(os.path.join(d, "taiwan_train.csv")).read().splitlines()
    test = open(os.path.join(d, "taiwan_test.csv")).read().splitlines()
    body = rows[1:] + test[1:]
    with open(big, "w") as f:
        f.write(rows[0] + "\n")
        for _ in range(10):
            f.write("\n".join(body) + "\n")
    X, y, _ = frame(os.path.join(d, "taiwan_train.csv"), "default_next_month", ["ID"])
    m = xgb.XGBClassifier(n_estimators=300, max_depth=4, learning_rate=0.05, subsample=0.8, tree_method="hist", n_jobs=2, random_state=0)
    m.fit(X, y)
    res = {}
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        df = pd.read_csv(big)
        m.predict_proba(df.drop(columns=["ID", "default_next_month"]))[:, 1]
        times.append(time.perf_counter() - t)
    res["pandas read_csv + xgboost predict_proba"] = float(np.median(times))
    for kind in ("scorecard", "gbdt"):
        model = os.path.join(work, "taiwan_%s.json" % kind)
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            subprocess.run([bin, "model", "score", "--model", model, "--data", big, "--out", os.path.join(work, "big.csv")],
                           check=True, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - t)
        res["daihou model score, %s (4 reason codes)" % kind] = float(np.median(times))
    return res


def main():
    bin, d = sys.argv[1], sys.argv[2]
    corpus = json.load(open(os.path.join(d, "corpus.json")))
    work = tempfile.mkdtemp(prefix="daihou-models-")
    print("| data set | model | test AUC | test KS | fit (s) | score test fold (s) |")
    print("|---|---|---|---|---|---|")
    verdicts = []
    for s in corpus:
        rows = [daihou(bin, d, s, "scorecard", work), daihou(bin, d, s, "gbdt", work)] + peers(d, s)
        for r in rows:
            print("| %s | %s | %.4f | %.4f | %.2f | %.3f |" % (s["name"], r["model"], r["auc"], r["ks"], r["fit"], r["score"]))
        best = max(r["auc"] for r in rows[2:])
        verdicts.append((s["name"], rows[1]["auc"] - best, rows[1]["brier_raw"], rows[1]["brier"], rows[0]["brier_raw"], rows[0]["brier"]))
        sys.stdout.flush()
    print()
    print("| data set | self-tuned gbdt AUC minus best peer | gbdt Brier raw → calibrated | scorecard Brier raw → calibrated |")
    print("|---|---|---|---|")
    for name, gap, gr, gc, sr, sc in verdicts:
        print("| %s | %+.4f | %.5f → %.5f | %.5f → %.5f |" % (name, gap, gr, gc, sr, sc))
    if any(s["name"] == "taiwan" for s in corpus):
        print()
        print("| Taiwan × 10 (300,000 rows) from CSV | wall (s), median of 3 |")
        print("|---|---|")
        for k, v in score_taiwan(bin, d, work).items():
            print("| %s | %.2f |" % (k, v))


if __name__ == "__main__":
    main()
