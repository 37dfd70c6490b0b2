"""Peer for bench/tune.ts: ROUGE-L F as Google's rouge_score computes it without stemming, with
the same steps and data structures (tokenize with re; the full (m+1) x (n+1) LCS table as
rouge_score's _lcs_table; scoring.fmeasure). Reads {"target","prediction"} JSON lines on stdin,
times only the scoring, prints {"seconds", "mean_f", "n"}."""
import json
import re
import sys
import time


def tokenize(text):
    text = text.lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    tokens = re.split(r"\s+", text)
    return [x for x in tokens if re.match(r"^[a-z0-9]+$", x)]


def lcs_table(ref, can):
    rows, cols = len(ref), len(can)
    t = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            t[i][j] = t[i - 1][j - 1] + 1 if ref[i - 1] == can[j - 1] else max(t[i - 1][j], t[i][j - 1])
    return t


def score(target, prediction):
    tt, pt = tokenize(target), tokenize(prediction)
    if not tt or not pt:
        return 0.0
    lcs = lcs_table(tt, pt)[-1][-1]
    p, r = lcs / len(pt), lcs / len(tt)
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


pairs = [json.loads(l) for l in sys.stdin]
t0 = time.perf_counter()
total = 0.0
for row in pairs:
    total += score(row["target"], row["prediction"])
print(json.dumps({"seconds": time.perf_counter() - t0, "mean_f": total / len(pairs), "n": len(pairs)}))
