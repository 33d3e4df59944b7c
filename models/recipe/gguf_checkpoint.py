#!/usr/bin/env python3
"""Turns a starter-model GGUF back into the recipe's PyTorch model, from the
file's own tensors, for the parity check of a file nobody has a checkpoint of.

    python3 models/recipe/gguf_checkpoint.py MODEL.gguf OUT.pt

The shape (width, layers, heads, kv heads, feed-forward, context, rope base,
RMSNorm epsilon) is read from the GGUF's llama.* metadata; F32 and F16 tensors
are taken as they are and Q8_0 tensors are dequantised exactly as ggml does
(each block of 32 values is an f16 scale times 32 int8s). OUT.pt is a
checkpoint that models/recipe/logits.py reads (model_config + model), so
PyTorch then computes the recipe's StarterModel with the very weights llama.cpp
runs: if both give the same logits, the file computes the recipe's model.
"""

from __future__ import annotations

import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import ModelConfig, StarterModel, gguf_tensors  # noqa: E402

GGML_F32, GGML_F16, GGML_Q8_0 = 0, 1, 8
Q8_0_BLOCK = 32
# GGUF metadata value types -> struct formats (the fixed-size ones).
SCALAR = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
STRING, ARRAY = 8, 9


class Reader:
    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def unpack(self, fmt: str):
        value = struct.unpack_from(fmt, self.data, self.at)[0]
        self.at += struct.calcsize(fmt)
        return value

    def string(self) -> str:
        length = self.unpack("<Q")
        text = self.data[self.at:self.at + length].decode("utf-8")
        self.at += length
        return text

    def value(self, kind: int):
        if kind in SCALAR:
            return self.unpack(SCALAR[kind])
        if kind == STRING:
            return self.string()
        if kind == ARRAY:
            item_kind, count = self.unpack("<I"), self.unpack("<Q")
            return [self.value(item_kind) for _ in range(count)]
        raise ValueError(f"unknown GGUF metadata type {kind}")


def read_gguf(path: str) -> tuple[dict, dict[str, np.ndarray]]:
    """Metadata and every tensor as float32, shaped as PyTorch stores it (rows = GGUF's last dimension)."""
    with open(path, "rb") as handle:
        data = handle.read()
    reader = Reader(data)
    if data[:4] != b"GGUF":
        raise SystemExit(f"{path} is not a GGUF file")
    reader.at = 4
    version = reader.unpack("<I")
    if version not in (2, 3):
        raise SystemExit(f"{path}: GGUF version {version} is not supported")
    tensor_count, kv_count = reader.unpack("<Q"), reader.unpack("<Q")
    metadata = {}
    for _ in range(kv_count):
        key = reader.string()
        metadata[key] = reader.value(reader.unpack("<I"))
    infos = []
    for _ in range(tensor_count):
        name = reader.string()
        dims = [reader.unpack("<Q") for _ in range(reader.unpack("<I"))]
        infos.append((name, dims, reader.unpack("<I"), reader.unpack("<Q")))
    alignment = int(metadata.get("general.alignment", 32))
    base = (reader.at + alignment - 1) // alignment * alignment
    tensors = {}
    for name, dims, kind, offset in infos:
        count = int(np.prod(dims))
        start = base + offset
        if kind == GGML_F32:
            values = np.frombuffer(data, dtype="<f4", count=count, offset=start).astype(np.float32)
        elif kind == GGML_F16:
            values = np.frombuffer(data, dtype="<f2", count=count, offset=start).astype(np.float32)
        elif kind == GGML_Q8_0:
            blocks = np.frombuffer(data, dtype=np.dtype([("d", "<f2"), ("q", "i1", Q8_0_BLOCK)]), count=count // Q8_0_BLOCK, offset=start)
            values = (blocks["d"].astype(np.float32)[:, None] * blocks["q"].astype(np.float32)).reshape(-1)
        else:
            raise SystemExit(f"{name}: ggml type {kind} is not supported (F32, F16 and Q8_0 are)")
        # ggml lists the contiguous dimension first; PyTorch's (out, in) is the reverse.
        tensors[name] = values.reshape(list(reversed(dims)))
    return metadata, tensors


def config_of(metadata: dict, tensors: dict[str, np.ndarray]) -> ModelConfig:
    arch = metadata.get("general.architecture")
    if arch != "llama":
        raise SystemExit(f"architecture {arch!r}: the recipe's model is llama")
    return ModelConfig(
        vocab_size=tensors["token_embd.weight"].shape[0],
        dim=int(metadata["llama.embedding_length"]),
        layers=int(metadata["llama.block_count"]),
        heads=int(metadata["llama.attention.head_count"]),
        kv_heads=int(metadata["llama.attention.head_count_kv"]),
        ffn=int(metadata["llama.feed_forward_length"]),
        context=int(metadata["llama.context_length"]),
        rope_base=float(metadata.get("llama.rope.freq_base", 10000.0)),
        rms_eps=float(metadata["llama.attention.layer_norm_rms_epsilon"]),
    )


def model_from_gguf(path: str) -> StarterModel:
    metadata, tensors = read_gguf(path)
    model = StarterModel(config_of(metadata, tensors))
    expected = gguf_tensors(model)
    missing = [name for name, _ in expected if name not in tensors]
    extra = sorted(set(tensors) - {name for name, _ in expected})
    if missing or extra:
        raise SystemExit(f"{path}: tensors missing {missing[:5]}, unexpected {extra[:5]}")
    with torch.no_grad():
        for name, parameter in expected:
            value = torch.from_numpy(np.ascontiguousarray(tensors[name]))
            if tuple(value.shape) != tuple(parameter.shape):
                raise SystemExit(f"{name}: shape {tuple(value.shape)} in the file, {tuple(parameter.shape)} in the model")
            parameter.copy_(value)
    return model


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    gguf_path, out_path = sys.argv[1:3]
    model = model_from_gguf(gguf_path)
    torch.save({"format": "hearth-starter-from-gguf/1", "source": os.path.basename(gguf_path),
                "model_config": model.config.to_dict(), "model": model.state_dict()}, out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
