"""The lexical BETR baseline that select's quality bench compares against (Debian python3-sklearn).

scikit-learn TfidfVectorizer cosine -> per doc, max over target examples of log2(1/rank) ->
top 10% of a half-sample positive -> LogisticRegression(class_weight="balanced") on the same
tf-idf features -> keep the top N of the whole corpus.

usage: betr_sklearn.py CORPUS.jsonl TARGETS.jsonl N SEED
prints one JSON line: the ids kept in score order, P@N of the ranking stage's order, seconds.
"""
import json
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression


def max_log_rank(sims):
    """sims: targets x docs; per doc, max over targets of log2(1/rank) (rank 1 = most similar)."""
    order = np.argsort(-sims, axis=1, kind="stable")
    ranks = np.empty_like(order)
    ranks[np.arange(sims.shape[0])[:, None], order] = np.arange(1, sims.shape[1] + 1)[None, :]
    return np.max(-np.log2(ranks), axis=0)


def main():
    corpus, targets, n_keep, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    docs = [json.loads(l) for l in open(corpus, encoding="utf8") if l.strip()]
    texts = [d["text"] for d in docs]
    ids = [d["id"] for d in docs]
    target_texts = [json.loads(l)["text"] for l in open(targets, encoding="utf8") if l.strip()]
    t0 = time.time()
    rng = np.random.RandomState(seed)
    half = rng.permutation(len(texts))[: len(texts) // 2]
    vec = TfidfVectorizer()
    vec.fit([texts[i] for i in half])
    X = vec.transform(texts)
    T = vec.transform(target_texts)
    rank_half = max_log_rank((T @ X[half].T).toarray())
    k = max(1, int(round(len(half) * 0.1)))
    y = np.zeros(len(half), dtype=bool)
    y[np.argsort(-rank_half, kind="stable")[:k]] = True
    clf = LogisticRegression(class_weight="balanced", max_iter=1000)
    clf.fit(X[half], y)
    score = clf.decision_function(X)
    kept = np.argsort(-score, kind="stable")[:n_keep]
    rank_all = max_log_rank((T @ X.T).toarray())
    rank_top = np.argsort(-rank_all, kind="stable")[:n_keep]
    print(json.dumps({"kept": [ids[i] for i in kept], "rankTop": [ids[i] for i in rank_top], "seconds": time.time() - t0}))


if __name__ == "__main__":
    main()
