"""The truth of each capture in this folder, by hand: plain SQL over the export, no nsys-tp code.

usage: python3 truth.py hf-eager-whole.sqlite [PROMPT_FORWARDS]

Forwards: the cuDNN SDPA forward kernels (`cudnn_generated_fort_native_sdpa_*_fprop_*`, one per layer and
forward; their lean_reduction partners excluded) in groups of LAYERS (4), plus, in graph-level captures, one
forward per CUDA graph replay (CUPTI_ACTIVITY_KIND_GRAPH_TRACE). A forward starts at its embedding kernel
(indexSelect*, Inductor's fused `*embedding*`, or the replay itself); the period T is one embedding start to
the next; the gap G between two forwards is the longest GPU idle between forward k's last attention kernel
and forward k+1's embedding (idle inside forward k+1, such as the host building attention plans before its
first attention kernel, is forward k+1's own). Passes split where G exceeds 100 ms. The first
PROMPT_FORWARDS forwards of a pass run prompt tokens (1 for generate(); 11 for the continuous-batching
captures: 5,300 prompt tokens in chunks of at most 512), the rest are decode: the decode step time is the
median of T - G over them.
"""
import sqlite3, statistics as st, re, sys

LAYERS = 4
path = sys.argv[1]
prompt_forwards = int(sys.argv[2]) if len(sys.argv) > 2 else 1
db = sqlite3.connect(path)
tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
parts = ["SELECT k.start, k.end, s.value FROM CUPTI_ACTIVITY_KIND_KERNEL k JOIN StringIds s ON s.id = k.shortName"]
for t in ('CUPTI_ACTIVITY_KIND_MEMCPY', 'CUPTI_ACTIVITY_KIND_MEMSET'):
    if t in tables: parts.append(f"SELECT start, end, '[memory]' FROM {t}")
if 'CUPTI_ACTIVITY_KIND_GRAPH_TRACE' in tables: parts.append("SELECT start, end, '[graph]' FROM CUPTI_ACTIVITY_KIND_GRAPH_TRACE")
ops = db.execute(' UNION ALL '.join(parts) + ' ORDER BY 1').fetchall()

idle, busy = [], None
for start, end, _ in ops:
    idle.append(max(0, start - busy) if busy is not None else 0)
    busy = end if busy is None else max(busy, end)

attention = [i for i, o in enumerate(ops) if 'sdpa' in o[2] and 'fprop' in o[2]]
forwards = [(g[0], g[-1]) for g in (attention[k:k + LAYERS] for k in range(0, len(attention), LAYERS))]
forwards += [(i, i) for i, o in enumerate(ops) if o[2] == '[graph]']
forwards.sort()
embedding = re.compile(r'indexSelect|embedding|^\[graph\]$')
starts, last = [], -1
for first, final in forwards:
    marks = [i for i in range(last + 1, first + 1) if embedding.search(ops[i][2])]
    starts.append(marks[-1] if marks else first)
    last = final

passes = [[0]]
periods = [[]]
for k in range(len(forwards) - 1):
    T = ops[starts[k + 1]][0] - ops[starts[k]][0]
    G = max(idle[forwards[k][1] + 1: starts[k + 1] + 1])
    if G > 100e6:
        passes.append([k + 1]); periods.append([])
        continue
    passes[-1].append(k + 1)
    periods[-1].append((T, G))
print(f'{path}: {len(forwards)} forwards ({len(attention)} attention kernels, {len(forwards) - len(attention) // LAYERS} graph replays)')
for i, (p, q) in enumerate(zip(passes, periods)):
    decode = q[prompt_forwards:]
    med = lambda xs: st.median(xs) / 1e6 if xs else float('nan')
    print(f'  pass {i + 1}: {len(p)} forwards, {min(prompt_forwards, len(p))} with prompt tokens; decode: median T {med([t for t, g in decode]):.3f} ms, '
          f'median G {med([g for t, g in decode]):.3f} ms, median T - G {med([t - g for t, g in decode]):.3f} ms')
