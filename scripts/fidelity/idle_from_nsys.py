#!/usr/bin/env python3
"""GPU idle time between kernels inside graph-replayed steps, from an nsys SQLite export: for the
last measured steps, (span from the first kernel's start to the last kernel's end) minus the union
of kernel intervals, over the span."""
import sqlite3, sys

db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT start, end FROM CUPTI_ACTIVITY_KIND_KERNEL ORDER BY start").fetchall()
if not rows:
    sys.exit("no kernels in the trace")
# Steps are separated by host synchronisation: split where the GPU idles > 200 us.
steps, cur = [], [rows[0]]
for s, e in rows[1:]:
    if s - cur[-1][1] > 200_000:
        steps.append(cur)
        cur = []
    cur.append((s, e))
steps.append(cur)
big = sorted(steps, key=len)[-8:]  # the full steps (most kernels)
tot_span = tot_busy = 0
for st in big:
    span = st[-1][1] - st[0][0]
    busy, end = 0, st[0][0]
    for s, e in st:
        s = max(s, end)
        if e > s:
            busy += e - s
            end = e
    tot_span += span
    tot_busy += busy
print(f"graph steps analysed: {len(big)}, kernels per step: {len(big[-1])}, "
      f"idle between kernels: {100 * (tot_span - tot_busy) / tot_span:.2f}% of the step "
      f"({(tot_span - tot_busy) / len(big) / 1e6:.3f} ms of {tot_span / len(big) / 1e6:.2f} ms)")
