#!/usr/bin/env python3
"""Writes a training checkpoint's weights as a plain container the project's
TypeScript GGUF writer reads (src/train/export/rawTensors.ts):

  <out>/tensors.json       format, hyperparameters, training summary, and per
                           tensor: GGUF name, GGUF shape ([in, out]: ggml lists
                           the contiguous dimension first), dtype, byte offset
  <out>/tensors.bin.NNN    the tensors' bytes, back to back, cut into parts of
                           at most --part-mib MiB (so each part can travel
                           through a size-limited file transfer); tensors.json
                           lists each part's size and sha256, which the reader
                           (src/train/export/rawTensors.ts) checks

dtype f32 keeps the trained weights exactly (for the F32/F16 GGUFs and the
parity check). dtype q8_0 stores 2-D weights already in ggml's Q8_0 block
format, quantised exactly as ggml's reference quantize_row_q8_0 does, at about
a quarter of the size: the form in which a GPU run's result can be brought
back. 1-D norm weights are always f32, as llama.cpp keeps them.

    python3 models/recipe/export_tensors.py models/recipe/runs/cpu-small/checkpoint.pt out/dir [--dtype f32|f16|q8_0]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import ModelConfig, StarterModel, gguf_tensors  # noqa: E402

CONTAINER_FORMAT = "hearth-raw-tensors/1"


def quantize_q8_0(values: np.ndarray) -> bytes:
    """ggml's quantize_row_q8_0_ref: per block of 32, d = max|x| / 127 (f32),
    q = roundf(x * (1/d)) (half away from zero), d stored as f16 (round to
    nearest even, as numpy and ggml both do), then the 32 int8 quants."""
    x = values.astype(np.float32).reshape(-1, 32)
    amax = np.abs(x).max(axis=1)
    d = (amax / np.float32(127)).astype(np.float32)
    inverse = np.zeros_like(d)
    nonzero = d != 0
    inverse[nonzero] = (np.float32(1) / d[nonzero]).astype(np.float32)
    scaled = (x * inverse[:, None]).astype(np.float32).astype(np.float64)  # f32 product, rounded exactly below
    q = (np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)).astype(np.int8)
    blocks = np.empty((x.shape[0], 34), dtype=np.uint8)
    blocks[:, :2] = d.astype("<f2").view(np.uint8).reshape(-1, 2)
    blocks[:, 2:] = q.view(np.uint8)
    return blocks.tobytes()


def tensor_bytes(tensor: torch.Tensor, dtype: str) -> tuple[str, bytes]:
    array = tensor.detach().float().cpu().numpy()
    if array.ndim == 1 or dtype == "f32":
        return "f32", array.astype("<f4").tobytes()
    if dtype == "f16":
        return "f16", array.astype("<f2").tobytes()
    return "q8_0", quantize_q8_0(array)


def export(checkpoint_path: str, out_dir: str, dtype: str = "f32", part_mib: float = 15.0) -> dict:
    checkpoint = torch.load(checkpoint_path, map_location="cpu", weights_only=False)
    config = ModelConfig.from_dict(checkpoint["model_config"])
    model = StarterModel(config)
    model.load_state_dict(checkpoint["model"])
    os.makedirs(out_dir, exist_ok=True)

    part_size = int(part_mib * 1024 * 1024)
    parts: list[str] = []
    part_hashes: list = []
    part_sizes: list[int] = []
    current, current_size, offset = None, 0, 0
    entries = []

    def write(data: bytes) -> None:
        nonlocal current, current_size
        view = memoryview(data)
        while len(view):
            if current is None or current_size >= part_size:
                if current is not None:
                    current.close()
                name = f"tensors.bin.{len(parts):03d}"
                parts.append(name)
                part_hashes.append(hashlib.sha256())
                part_sizes.append(0)
                current, current_size = open(os.path.join(out_dir, name), "wb"), 0
            take = min(len(view), part_size - current_size)
            current.write(view[:take])
            part_hashes[-1].update(view[:take])
            part_sizes[-1] += take
            current_size += take
            view = view[take:]

    for name, tensor in gguf_tensors(model):
        stored, data = tensor_bytes(tensor, dtype)
        entries.append({"name": name, "shape": list(reversed(tensor.shape)), "dtype": stored, "offset": offset, "bytes": len(data)})
        write(data)
        offset += len(data)
    if current is not None:
        current.close()

    index = {
        "format": CONTAINER_FORMAT,
        "preset": checkpoint["preset"],
        "hyperparameters": config.to_dict(),
        "training": {
            "step": checkpoint["step"],
            "max_steps": checkpoint["train_config"]["max_steps"],
            "tokens_seen": checkpoint["tokens_seen"],
            "train_seconds": round(checkpoint["train_seconds"], 1),
            "seed": checkpoint["seed"],
            "fim": checkpoint["fim"],
            "last_eval": checkpoint.get("last_eval"),
        },
        "parts": parts,
        "part_bytes": part_sizes,
        "part_sha256": [h.hexdigest() for h in part_hashes],
        "total_bytes": offset,
        "tensors": entries,
    }
    with open(os.path.join(out_dir, "tensors.json"), "w", encoding="utf-8") as handle:
        json.dump(index, handle, indent=1)
    return index


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint")
    p.add_argument("out_dir")
    p.add_argument("--dtype", default="f32", choices=["f32", "f16", "q8_0"])
    p.add_argument("--part-mib", type=float, default=15.0)
    args = p.parse_args()
    index = export(args.checkpoint, args.out_dir, args.dtype, args.part_mib)
    print(json.dumps({"out": args.out_dir, "tensors": len(index["tensors"]), "bytes": index["total_bytes"], "parts": index["parts"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
