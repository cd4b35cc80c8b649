#!/usr/bin/env python3
"""The PyTorch reference of a scalebench training step: torchvision ResNet-50 (channels_last) or
ViT-B/16, autocast, SGD with momentum, one GPU. Prints the median step time from CUDA events and,
from torch.profiler, the GPU time per step grouped into kernel classes (conv/GEMM, normalisation,
elementwise, copy/cast, pooling, attention, optimizer, other), as JSON on stdout's last line.

    python3 scripts/fidelity/pytorch_step.py --model resnet50 --batch 128 --precision bf16
"""
import argparse
import json
import re
import statistics
import sys
import time

import torch
import torchvision

# Kernel-name classes, first match wins. Names are those of PyTorch 2.x / cuDNN 9 / cuBLAS 13.
CLASSES = [
    ("elementwise", r"logsoftmax|log_softmax|nll_loss"),  # the loss, before attention's softmax
    ("normalisation", r"gammabeta|layer_norm|layernorm|batch_norm"),
    ("copy/cast", r"direct_copy|_copy_kernel|copy_kernel|memcpy|cat_|transpose|permute"),
    ("optimizer", r"multi_tensor_apply|foreach|sgd|fused_sgd|_amp_foreach"),
    ("attention", r"flash|fmha|attention|sdpa|mem_eff|softmax_warp|cunn_SoftMax|softmax"),
    ("normalisation", r"batch_norm|batchnorm|bn_fw|bn_bw|layer_norm|layernorm|welford|norm_"),
    ("pooling", r"pool"),
    ("conv/GEMM", r"gemm|conv|xmma|cutlass|implicit|wgrad|dgrad|cudnn|nhwc|nchw|sm90_|sm80_|ampere_|hopper_|cublas|dot_kernel|splitK|reduce_1Block"),
    ("elementwise", r"elementwise|vectorized|unrolled|copy|cat_|relu|gelu|add|mul|fill|index|reduce|scatter|gather|log_softmax|nll|cross_entropy|where|clamp|div|sum"),
]


def classify(name):
    low = name.lower()
    for cls, pattern in CLASSES:
        if re.search(pattern, low):
            return cls
    return "other"


def build(model_name, image_size):
    if model_name == "resnet50":
        return torchvision.models.resnet50(weights=None, num_classes=1000)
    if model_name == "vit_b16":
        return torchvision.models.vit_b_16(weights=None, image_size=image_size, num_classes=1000)
    raise SystemExit(f"unknown model {model_name!r} (resnet50, vit_b16)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="resnet50", choices=["resnet50", "vit_b16"])
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--precision", default="bf16", choices=["fp32", "tf32", "bf16", "fp16"])
    ap.add_argument("--image-size", type=int, default=224)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--profile-steps", type=int, default=5)
    ap.add_argument("--fused-sgd", action="store_true", help="torch.optim.SGD(fused=True) instead of foreach")
    args = ap.parse_args()

    if not torch.cuda.is_available():
        raise SystemExit("pytorch_step: no CUDA device")
    dev = torch.device("cuda")
    torch.backends.cudnn.benchmark = True
    tf32 = args.precision == "tf32"
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    amp_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(args.precision)

    model = build(args.model, args.image_size).to(dev)
    x = torch.randn(args.batch, 3, args.image_size, args.image_size, device=dev)
    if args.model == "resnet50":
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 1000, (args.batch,), device=dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, fused=args.fused_sgd or None)
    scaler = torch.amp.GradScaler("cuda", enabled=args.precision == "fp16")
    loss_fn = torch.nn.CrossEntropyLoss()
    params = sum(p.numel() for p in model.parameters())

    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cuda", dtype=amp_dtype or torch.float32, enabled=amp_dtype is not None):
            loss = loss_fn(model(x), y)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()

    t0 = time.time()
    for _ in range(args.warmup):
        step()
    torch.cuda.synchronize()
    warm_s = time.time() - t0

    times = []
    for _ in range(args.steps):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        step()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    times.sort()
    median = statistics.median(times)

    classes = {}
    kernels = []
    if args.profile_steps > 0:
        from torch.profiler import ProfilerActivity, profile

        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(args.profile_steps):
                step()
            torch.cuda.synchronize()
        for evt in prof.key_averages():
            us = getattr(evt, "self_device_time_total", None)
            if us is None:
                us = getattr(evt, "self_cuda_time_total", 0)
            if not us or us <= 0:
                continue
            ms_per_step = us / 1e3 / args.profile_steps
            cls = classify(evt.key)
            classes[cls] = classes.get(cls, 0.0) + ms_per_step
            kernels.append((ms_per_step, cls, evt.key[:120], evt.count // args.profile_steps))
        kernels.sort(reverse=True)

    result = {
        "framework": "pytorch",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "gpu": torch.cuda.get_device_name(0),
        "model": args.model,
        "parameters": params,
        "batch": args.batch,
        "precision": args.precision,
        "image_size": args.image_size,
        "steps": args.steps,
        "warmup_s": round(warm_s, 2),
        "step_ms": {"median": median, "p5": times[int(0.05 * (len(times) - 1))],
                    "p95": times[int(0.95 * (len(times) - 1))], "min": times[0]},
        "samples_per_s": args.batch / median * 1e3,
        "gpu_ms_per_step_by_class": {k: round(v, 3) for k, v in sorted(classes.items(), key=lambda kv: -kv[1])},
        "gpu_ms_per_step_total": round(sum(classes.values()), 3),
        "top_kernels": [{"ms": round(ms, 3), "class": c, "name": n, "calls": k} for ms, c, n, k in kernels[:25]],
        "peak_memory_bytes": torch.cuda.max_memory_allocated(),
    }
    print(f"# {args.model} batch {args.batch} {args.precision}: median step {median:.2f} ms "
          f"({result['samples_per_s']:.0f} samples/s); GPU time by class (ms/step): "
          + ", ".join(f"{k} {v:.2f}" for k, v in result["gpu_ms_per_step_by_class"].items()), file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
