#!/usr/bin/env python3
"""Fidelity table from device_fidelity.sh's folder: scalebench vs PyTorch step time per point,
and GPU time by layer class on both sides (PyTorch: torch.profiler kernel time; scalebench:
--layer-times, each piece timed to completion)."""
import glob, json, os, sys

out = sys.argv[1]
# scalebench's classes onto the PyTorch script's class names.
SB_TO_PT = {"gemm": "conv/GEMM", "attention": "attention", "normalization": "normalisation",
            "elementwise": "elementwise+copy/cast", "pooling": "pooling", "optimizer": "optimizer"}

def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except Exception:
        return None

print("| model | batch | PyTorch step ms | scalebench step ms | scalebench / PyTorch | within ±15% |")
print("| --- | --- | --- | --- | --- | --- |")
rows = []
for sb_path in sorted(glob.glob(os.path.join(out, "sb_*_*.json"))):
    name = os.path.basename(sb_path)[3:-5]
    if name.endswith("_graph"):
        continue
    model, batch = name.rsplit("_", 1)
    sb = load(sb_path)
    pt = load(os.path.join(out, f"pt_{model}_{batch}.json"))
    sb_ms = sb["step"]["median_ms"] if sb and sb.get("step") else None
    pt_ms = pt["step_ms"]["median"] if pt else None
    ratio = sb_ms / pt_ms if sb_ms and pt_ms else None
    ok = "yes" if ratio and 0.85 <= ratio <= 1.15 else "no"
    f = lambda v: f"{v:.1f}" if v is not None else "–"
    print(f"| {model} | {batch} | {f(pt_ms)} | {f(sb_ms)} | {ratio:.2f} | {ok} |" if ratio else f"| {model} | {batch} | {f(pt_ms)} | {f(sb_ms)} | – | – |")
    rows.append((model, batch, sb, pt))

print()
print("GPU ms per step by layer class (PyTorch profiler | scalebench --layer-times):")
print()
print("| model | batch | class | PyTorch | scalebench |")
print("| --- | --- | --- | --- | --- |")
for model, batch, sb, pt in rows:
    pt_cls = dict((pt or {}).get("gpu_ms_per_step_by_class", {}))
    pt_cls["elementwise+copy/cast"] = pt_cls.pop("elementwise", 0.0) + pt_cls.pop("copy/cast", 0.0)
    sb_cls = {SB_TO_PT.get(k, k): v for k, v in ((sb or {}).get("layer_class_ms") or {}).items()}
    for cls in ["conv/GEMM", "attention", "normalisation", "elementwise+copy/cast", "pooling", "optimizer", "other"]:
        a, b = pt_cls.get(cls), sb_cls.get(cls)
        if a is None and b is None:
            continue
        f = lambda v: f"{v:.2f}" if v is not None else "–"
        print(f"| {model} | {batch} | {cls} | {f(a)} | {f(b)} |")

g = load(os.path.join(out, "sb_resnet50_128_graph.json"))
n = load(os.path.join(out, "sb_resnet50_128.json"))
if g and n and g.get("step") and n.get("step"):
    print()
    print(f"resnet50 batch 128 bf16: full step {n['step']['median_ms']:.2f} ms without graphs, "
          f"{g['step']['median_ms']:.2f} ms with --graph")
for path in sorted(glob.glob(os.path.join(out, "sb_*.json"))):
    r = load(path)
    t = (r or {}).get("telemetry") or {}
    if t:
        print(f"{os.path.basename(path)}: power {t.get('mean_power_w')} W, energy/sample {t.get('energy_per_sample_j')} J, "
              f"peak memory {t.get('peak_memory_bytes')} B")
