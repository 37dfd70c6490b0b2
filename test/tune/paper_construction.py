"""Builds the paper's FT / FTICL examples from SOURCE.txt's description, independently of
datatailor: prompt = sum over the first k demos of template(d) + d["output"] + "\n\n", then
template(x); completion = x["output"]. template(.) is Python's str.format_map, as the paper's
train.py and evaluate_cross.py call it. Prints one JSON line {"prompt", "completion"} per example.
usage: paper_construction.py prompt_map.json MAP TASK TRAIN DEMOS K
"""
import json
import sys

prompt_map, map_idx, task, train, demos, k = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
template = json.load(open(prompt_map, encoding="utf-8"))[map_idx][task]
context = ""
for d in json.load(open(demos, encoding="utf-8"))[:k]:
    context += template.format_map(d) + d["output"] + "\n\n"
for x in json.load(open(train, encoding="utf-8")):
    sys.stdout.write(json.dumps({"prompt": context + template.format_map(x), "completion": x["output"]}, ensure_ascii=False) + "\n")
