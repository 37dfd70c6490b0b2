"""Peer of select's default scoring stage: scikit-learn tf-idf + logistic regression scoring.

Fits TfidfVectorizer(sublinear_tf=True, stop_words="english") and a balanced LogisticRegression
on a labelled training file (outside the timing), then times transform + decision_function over
every line of the documents file (one preprocessed document per line), as select's scorer does.

usage: tfidf_lr_score.py TRAIN.tsv DOCS.txt OUT.txt   (TRAIN: label<TAB>text per line)
prints: seconds docs
"""
import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

train, docs_file, out = sys.argv[1], sys.argv[2], sys.argv[3]
labels, texts = [], []
for line in open(train, encoding="utf8"):
    y, t = line.rstrip("\n").split("\t", 1)
    labels.append(int(y))
    texts.append(t)
vec = TfidfVectorizer(sublinear_tf=True, stop_words="english")
X = vec.fit_transform(texts)
clf = LogisticRegression(C=0.3, class_weight="balanced", max_iter=1000).fit(X, labels)
t0 = time.time()
docs = open(docs_file, encoding="utf8").read().split("\n")[:-1]
scores = clf.decision_function(vec.transform(docs))
with open(out, "w") as f:
    f.write("\n".join("%.6f" % s for s in scores) + "\n")
print("%.3f %d" % (time.time() - t0, len(docs)))
