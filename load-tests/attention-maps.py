#!/usr/bin/env python3
"""Are the reference translator's attention maps meaningful? Runs ../shared/bench/attention-peer.py as it is (same
options; its own output is printed as usual), then, with the model it trained, translates every test sentence and
counts the target tokens that occur once in the source and once in the translation (punctuation marks, names,
numbers): how often such a token's largest attention weight falls on the same source token. rill's figure, measured
the same way, comes from its benchmark (AttentionBenchmark, attention-bench.sh).

usage: /usr/bin/python3 load-tests/attention-maps.py [--peer PATH] [peer options, e.g. --epochs 5]
Nothing of the peer is imported: its file is read and run, and its trained model read back from what it defined.
"""
import os, sys

here = os.path.dirname(os.path.abspath(__file__))
args = sys.argv[1:]
peer = os.path.join(here, '..', '..', 'shared', 'bench', 'attention-peer.py')
if args[:1] == ['--peer']:
    peer, args = args[1], args[2:]
sys.argv = [peer] + args
scope = {'__name__': '__main__', '__file__': os.path.abspath(peer)}
with open(peer, encoding='utf-8') as f:
    exec(compile(f.read(), peer, 'exec'), scope)

model, tests, tok = scope['m'], scope['tests'], scope['tok']
agree = total = 0
for source, _ in tests:
    words = list(source)
    out, maps = model.translate(words)
    for i, word in enumerate(out):
        if out.count(word) != 1 or words.count(word) != 1:
            continue
        row = maps[i]
        total += 1
        agree += max(range(len(row)), key=lambda j: (row[j], -j)) == words.index(word)
share = 100.0 * agree / total if total else 0.0
print(f'maps agree on once-each tokens: {agree} of {total} ({share:.1f}%)')
