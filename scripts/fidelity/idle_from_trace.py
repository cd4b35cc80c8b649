#!/usr/bin/env python3
"""Idle time between kernels inside steps, from kernel_trace.c's "start end" lines (ns).

Steps are split where the GPU idles 30 us or more: between measured steps the host synchronises,
passes a barrier and launches again, which takes longer; inside a step the host runs ahead of the
GPU, so a gap that long inside a step would be missed (the total idle is printed too, as an upper
bound). The steps analysed are the chunks with the most common kernel count.
For those steps: idle = (last end - first start) - union of kernel intervals."""
import collections, sys

rows = sorted(tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip())
if not rows:
    sys.exit("no kernels recorded")
chunks, cur, end = [], [rows[0]], rows[0][1]
for s, e in rows[1:]:
    if s - end >= 30_000:
        chunks.append(cur)
        cur = []
    cur.append((s, e))
    end = max(end, e)
chunks.append(cur)
counts = collections.Counter(len(c) for c in chunks if len(c) > 100)
step_kernels = max(counts, key=lambda n: (counts[n], n))
steps = [c for c in chunks if len(c) == step_kernels]
span = busy = 0
for st in steps:
    span += st[-1][1] - st[0][0]
    end = st[0][0]
    for s, e in st:
        s = max(s, end)
        if e > s:
            busy += e - s
            end = max(end, e)
total_span = rows[-1][1] - rows[0][0]
print(f"steps analysed: {len(steps)} (chunk sizes seen: {dict(counts)}), kernels per step: "
      f"{step_kernels}, idle between kernels: {100 * (span - busy) / span:.2f}% of the step "
      f"({(span - busy) / len(steps) / 1e6:.3f} ms of {span / len(steps) / 1e6:.2f} ms per step)")
