"""ROUGE-L as rouge_score documents it (no stemming), written independently for the tests with
Python's own str.lower() and re, so Unicode case mapping and the regexes are Python's:
lowercase; re.sub(r"[^a-z0-9]+", " "); re.split(r"\\s+"); keep tokens matching ^[a-z0-9]+$;
LCS table; P = lcs/len(pred), R = lcs/len(target), F = 2PR/(P+R). Reads JSON lines
{"target","prediction"} on stdin, writes {"p","r","f","tokens"} lines."""
import json
import re
import sys


def tokens(text):
    text = re.sub(r"[^a-z0-9]+", " ", text.lower())
    return [t for t in re.split(r"\s+", text) if re.match(r"^[a-z0-9]+$", t)]


def lcs(a, b):
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i][j] = table[i - 1][j - 1] + 1 if a[i - 1] == b[j - 1] else max(table[i - 1][j], table[i][j - 1])
    return table[-1][-1]


for line in sys.stdin:
    row = json.loads(line)
    t, p = tokens(row["target"]), tokens(row["prediction"])
    if not t or not p:
        out = {"p": 0, "r": 0, "f": 0}
    else:
        n = lcs(t, p)
        prec, rec = n / len(p), n / len(t)
        out = {"p": prec, "r": rec, "f": 2 * prec * rec / (prec + rec) if prec + rec > 0 else 0.0}
    out["tokens"] = tokens(row["prediction"])
    sys.stdout.write(json.dumps(out) + "\n")
