"""Rebuilds data/demo/tune/ (the `datatailor demo tune` sample) from the workplace's shared data,
deterministically. Only permissively licensed sources (see NOTICE):
  question/   Social IQa (Sap et al. 2019), validation split as vendored by allenai/OLMo - CC BY 4.0.
              Records in the paper's question-generation shape: input = context, answer = the
              correct answer, output = the question.
  sentiment/  Sentence polarity dataset v1.0 (Pang & Lee 2005) from NLTK's sentence_polarity
              corpus - CC BY 4.0. input = the sentence, output = positive | negative.
Each task has train.jsonl, few_shot.jsonl (demos) and test.jsonl. Two leaks are planted on
purpose so the demo's leakage check has something to find: few-shot demo 2 of question/ is test
item 7 verbatim (as in the paper's own release), and training item 11 of sentiment/ is test item 5
with its case and spacing changed.
usage: python3 data/demo/tune/make-sample.py [shared-data-dir]
"""
import json
import os
import sys

shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../../shared/data")
here = os.path.dirname(os.path.abspath(__file__))


def write(task, name, rows):
    os.makedirs(os.path.join(here, task), exist_ok=True)
    with open(os.path.join(here, task, name), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


siqa = [json.loads(l) for l in open(os.path.join(shared, "benchmarks/social_i_qa.validation.jsonl"), encoding="utf-8")]
qrows = [{"input": r["context"], "answer": r["answer" + "ABC"[int(r["label"]) - 1]], "output": r["question"]} for r in siqa]
# every 7th item, so the sample spreads over the split
picked = qrows[::7]
train, few, test = picked[:80], picked[80:84], picked[84:124]
few[2] = dict(test[7])
write("question", "train.jsonl", train)
write("question", "few_shot.jsonl", few)
write("question", "test.jsonl", test)

pol = [json.loads(l) for l in open(os.path.join(shared, "corpora/nltk-corpora/sentence_polarity.jsonl"), encoding="utf-8")]
neg = [p for p in pol if p["label"] == "neg"][::53]
pos = [p for p in pol if p["label"] == "pos"][::53]
mixed = [x for pair in zip(neg, pos) for x in pair]
srows = [{"input": p["text"], "output": "negative" if p["label"] == "neg" else "positive"} for p in mixed]
train, few, test = srows[:80], srows[80:84], srows[84:124]
train[11] = {"input": "  " + test[5]["input"].upper().replace(" , ", ", ") + "  ", "output": test[5]["output"]}
write("sentiment", "train.jsonl", train)
write("sentiment", "few_shot.jsonl", few)
write("sentiment", "test.jsonl", test)
