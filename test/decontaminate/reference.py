#!/usr/bin/env python3
"""Plain Python reference for n-gram decontamination (peer for the bench, oracle for the tests).

Tokenisation: datatrove's simplify_text with its default TextNormConfig (lowercase, whitespace
normalised, punctuation deleted, NFD with combining marks dropped, digit runs -> "0"), then
str.split(). Index: a set of n-gram tuples of the items. One pass over the documents.

usage: reference.py ITEMS.jsonl DOCS.jsonl N [--hits]
  ITEMS.jsonl  one {"text": ...} per line (item i = line i)
  DOCS.jsonl   the corpus (field "text")
  --hits       print one JSON line per document: [[item, shared distinct n-grams], ...]
               (items shorter than N words count 1 when their whole word sequence occurs)
  otherwise    print {"docs", "contaminated", "bytes", "seconds", "cpu_seconds"} (index build excluded)
"""
import json
import re
import sys
import time
import unicodedata

# datatrove.utils.text.PUNCTUATION: these marks plus the control characters 0-8, 11-12, 13-31, 127-159
PUNCTUATION = "!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»" + "".join(
    map(chr, (x for a, b in ((0, 9), (11, 13), (13, 32), (127, 160)) for x in range(a, b)))
)
TABLE = str.maketrans("", "", PUNCTUATION)
WHITESPACE = re.compile(r"\s+")
NUMBERS = re.compile(r"\d+")


def simplify_text(text):
    text = text.lower()
    text = WHITESPACE.sub(" ", text.strip())
    text = text.translate(TABLE)
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    text = NUMBERS.sub("0", text)
    return text.strip()


def words(text):
    return simplify_text(text).split()


def main():
    items_path, docs_path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    hits_mode = "--hits" in sys.argv[4:]
    item_words = []
    with open(items_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                item_words.append(words(json.loads(line)["text"]))
    grams = {}  # n-gram tuple -> set of items
    short = {}  # length -> {tuple: set of items}
    for i, w in enumerate(item_words):
        if len(w) >= n:
            for j in range(len(w) - n + 1):
                grams.setdefault(tuple(w[j : j + n]), set()).add(i)
        elif w:
            short.setdefault(len(w), {}).setdefault(tuple(w), set()).add(i)
    docs = contaminated = size = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    with open(docs_path, "rb") as f:
        for raw in f:
            size += len(raw)
            if not raw.strip():
                continue
            docs += 1
            w = words(json.loads(raw)["text"])
            if hits_mode:
                found = {}
                for j in range(len(w) - n + 1):
                    g = tuple(w[j : j + n])
                    for i in grams.get(g, ()):
                        found.setdefault(i, set()).add(g)
                for length, table in short.items():
                    for j in range(len(w) - length + 1):
                        for i in table.get(tuple(w[j : j + length]), ()):
                            found.setdefault(i, {None})
                print(json.dumps(sorted([i, len(s)] for i, s in found.items())))
            else:
                hit = any(tuple(w[j : j + n]) in grams for j in range(len(w) - n + 1))
                if not hit:
                    for length, table in short.items():
                        if any(tuple(w[j : j + length]) in table for j in range(len(w) - length + 1)):
                            hit = True
                            break
                contaminated += hit
    if not hits_mode:
        print(json.dumps({"docs": docs, "contaminated": contaminated, "bytes": size, "seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0}))


if __name__ == "__main__":
    main()
