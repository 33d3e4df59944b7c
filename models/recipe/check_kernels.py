#!/usr/bin/env python3
"""Checks that the recipe's faster kernels compute what the plain ones do, on
this machine's torch: each attention kernel (model.py) against the dense
masked one, and the chunked cross-entropy (loss.py) against F.cross_entropy
over full logits; values and gradients. Prints one JSON object: per check the
largest absolute difference and the reference's scale (largest |value|).
Kernels this torch or device cannot run are listed as unavailable.

    python3 models/recipe/check_kernels.py [--device cpu|cuda] [--dtype float32|bfloat16]

The recipe test (test/engine/starterRecipe.test.ts) runs it on the CPU;
gpu-lease.sh runs it on the GPU before training and keeps its output.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loss import linear_cross_entropy, plain_cross_entropy  # noqa: E402
from model import ATTENTION_KERNELS, PRESETS, AttentionPlan, StarterModel, attend, attention_kernels_available  # noqa: E402


def difference(reference: torch.Tensor, candidate: torch.Tensor) -> dict:
    return {
        "max_abs_diff": float((reference.float() - candidate.float()).abs().max()),
        "scale": float(reference.float().abs().max()),
    }


def doc_ids_for(batch: int, time: int, generator: torch.Generator, device) -> torch.Tensor:
    """Rows of several documents of random lengths, one running to the row's end."""
    rows = []
    for _ in range(batch):
        cuts = sorted(torch.randint(1, time, (3,), generator=generator).tolist())
        row = torch.zeros(time, dtype=torch.long)
        for i, cut in enumerate(cuts):
            row[cut:] = i + 1
        rows.append(row)
    return torch.stack(rows).to(device)


def check_attention(kernel: str, device, dtype, generator) -> dict:
    batch, heads, kv_heads, time, head_dim = 2, 4, 2, 160, 16
    make = lambda h: torch.randn(batch, h, time, head_dim, generator=generator).to(device, dtype).requires_grad_()  # noqa: E731
    q, k, v = make(heads), make(kv_heads), make(kv_heads)
    docs = doc_ids_for(batch, time, generator, device)
    upstream = torch.randn(batch, heads, time, head_dim, generator=generator).to(device, dtype)
    results = []
    for name in ("masked", kernel):
        out = attend(q, k, v, AttentionPlan.make(name, docs, time, device))
        grads = torch.autograd.grad((out * upstream).sum(), (q, k, v))
        results.append((out, grads))
    (ref, ref_grads), (out, grads) = results
    return {
        "output": difference(ref, out),
        "grad_q": difference(ref_grads[0], grads[0]),
        "grad_k": difference(ref_grads[1], grads[1]),
        "grad_v": difference(ref_grads[2], grads[2]),
    }


def check_model(kernel: str, device, dtype, generator) -> dict:
    """The test-tiny model's hidden states with this kernel and with the masked one."""
    config = PRESETS["test-tiny"].model
    torch.manual_seed(1)
    model = StarterModel(config).to(device)
    tokens = torch.randint(0, config.vocab_size, (2, config.context), generator=generator).to(device)
    docs = doc_ids_for(2, config.context, generator, device)
    outputs = []
    for name in ("masked", kernel):
        model.attention = name
        autocast = torch.autocast(device.type, dtype=dtype) if dtype != torch.float32 else contextlib.nullcontext()
        with torch.no_grad(), autocast:
            outputs.append(model.hidden(tokens, docs))
    return difference(outputs[0], outputs[1])


def check_cross_entropy(device, dtype, generator) -> dict:
    rows, dim, vocab = 300, 64, 49152
    hidden = (torch.randn(rows, dim, generator=generator) * 2).to(device).requires_grad_()
    weight = (torch.randn(vocab, dim, generator=generator) * 0.5).to(device).requires_grad_()
    targets = torch.randint(0, vocab, (rows,), generator=generator).to(device)
    targets[::7] = -100
    plain = plain_cross_entropy(hidden, weight, targets, dtype)
    plain_grads = torch.autograd.grad(plain * 3.0, (hidden, weight))
    chunked = linear_cross_entropy(hidden, weight, targets, 64, dtype)
    chunked_grads = torch.autograd.grad(chunked * 3.0, (hidden, weight))
    return {
        "loss": {"plain": float(plain), "chunked": float(chunked), "abs_diff": abs(float(plain) - float(chunked))},
        "grad_hidden": difference(plain_grads[0], chunked_grads[0]),
        "grad_weight": difference(plain_grads[1], chunked_grads[1]),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    args = p.parse_args()
    torch.set_num_threads(1) if args.device == "cpu" else None
    device, dtype = torch.device(args.device), getattr(torch, args.dtype)
    generator = torch.Generator().manual_seed(20250)
    available = attention_kernels_available(device.type)
    report = {"torch": torch.__version__, "device": args.device, "dtype": args.dtype, "attention": {}, "model": {}}
    for kernel in ATTENTION_KERNELS:
        if kernel == "masked":
            continue
        if kernel not in available:
            report["attention"][kernel] = report["model"][kernel] = "unavailable"
            continue
        for part, check in (("attention", check_attention), ("model", check_model)):
            try:
                report[part][kernel] = check(kernel, device, dtype, generator)
            except Exception as error:  # a kernel this torch advertises but cannot run here: say so
                report[part][kernel] = f"failed: {type(error).__name__}: {error}"
    report["cross_entropy"] = check_cross_entropy(device, dtype, generator)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
