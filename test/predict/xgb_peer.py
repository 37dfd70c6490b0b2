"""Peer for datatailor predict: the Not-Just-Scaling protocol with scikit-learn + xgboost 1.7.4.

Reads JSON on stdin: {"X": [[float|null,...]], "y": [...], "seeds": [...], "n_jobs": 1,
"grid": {"max_depth": [...], "learning_rate": [...], "n_estimators": [...]} (default: the paper's)}
and prints JSON: per seed the mean outer-fold MAE, the fold MAEs, chosen params, fold test
predictions, the seconds spent in all, and in xgboost's fit() alone. Same steps as performance_predict_from_db.py
(train_and_evaluate_w_search): KFold(3, shuffle, seed) outer, train_test_split(0.2, seed),
GridSearchCV(KFold(3, shuffle, seed)) over depth x lr x trees, refit on the 80%.
Run with Debian's /usr/bin/python3 (python3-xgboost, python3-sklearn).
"""
import json
import sys
import time

import numpy as np
import xgboost as xgb
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import GridSearchCV, KFold, train_test_split

FIT_SECONDS = [0.0]


class TimedXGBRegressor(xgb.XGBRegressor):
    """XGBRegressor that adds the time spent in fit() to FIT_SECONDS (training alone)."""

    def fit(self, *args, **kwargs):
        t0 = time.perf_counter()
        out = super().fit(*args, **kwargs)
        FIT_SECONDS[0] += time.perf_counter() - t0
        return out


GRID = {"max_depth": [2, 3, 5], "learning_rate": [0.01, 0.1, 0.3], "n_estimators": [50, 100]}


def run_seed(X, y, seed, n_jobs, grid):
    out = {"seed": seed, "fold_mae": [], "params": [], "pred": [], "test": []}
    for train_idx, test_idx in KFold(n_splits=3, shuffle=True, random_state=seed).split(X):
        X_train, y_train = X[train_idx], y[train_idx]
        X_train, _X_val, y_train, _y_val = train_test_split(X_train, y_train, test_size=0.2, random_state=seed)
        model = TimedXGBRegressor(objective="reg:squarederror", missing=np.nan, random_state=seed, n_jobs=1)
        gs = GridSearchCV(model, grid, cv=KFold(n_splits=3, shuffle=True, random_state=seed),
                          scoring="neg_mean_absolute_error", n_jobs=n_jobs)
        gs.fit(X_train, y_train)
        best = gs.best_params_
        tuned = TimedXGBRegressor(objective="reg:squarederror", missing=np.nan, random_state=seed, n_jobs=1, **best)
        tuned.fit(X_train, y_train)
        pred = tuned.predict(X[test_idx])
        out["fold_mae"].append(float(mean_absolute_error(y[test_idx], pred)))
        out["params"].append(best)
        out["pred"].append([float(p) for p in pred])
        out["test"].append([int(i) for i in test_idx])
    out["mae"] = float(np.mean(out["fold_mae"]))
    return out


def main():
    req = json.load(sys.stdin)
    X = np.array([[np.nan if v is None else v for v in row] for row in req["X"]], dtype=np.float32)
    y = np.array(req["y"], dtype=np.float64)
    t0 = time.perf_counter()
    grid = req.get("grid", GRID)
    seeds = [run_seed(X, y, s, req.get("n_jobs", 1), grid) for s in req["seeds"]]
    json.dump({"xgboost": xgb.__version__, "seconds": time.perf_counter() - t0, "fit_seconds": FIT_SECONDS[0], "seeds": seeds}, sys.stdout)


if __name__ == "__main__":
    main()
