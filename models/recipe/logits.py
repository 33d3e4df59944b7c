#!/usr/bin/env python3
"""Next-token logits of a checkpoint for one token sequence, in float32, for
the parity check against llama.cpp (src/train/export/parity.ts).

    python3 models/recipe/logits.py CHECKPOINT TOKENS.json OUT.f32 [--wrong-rope]

--wrong-rope computes the logits with Hugging Face's rotary layout (the two
halves of each head rotated together) instead of GGML's adjacent pairs: a
negative control showing the parity check would notice a layout mistake.

TOKENS.json is a JSON array of token ids; OUT.f32 receives len(tokens) x
vocab little-endian float32 values, row i being the logits after token i.
"""

from __future__ import annotations

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as model_module  # noqa: E402
from model import ModelConfig, StarterModel  # noqa: E402


def rope_halves(x, cos, sin):
    """The NeoX/Hugging Face layout: pair i is (x[i], x[i + head_dim/2])."""
    half = x.shape[-1] // 2
    a, b = x[..., :half].float(), x[..., half:].float()
    return torch.cat((a * cos - b * sin, a * sin + b * cos), dim=-1).type_as(x)


def main() -> int:
    checkpoint_path, tokens_path, out_path = sys.argv[1:4]
    if "--wrong-rope" in sys.argv[4:]:
        model_module.apply_rope = rope_halves
    torch.set_num_threads(1)
    checkpoint = torch.load(checkpoint_path, map_location="cpu", weights_only=False)
    model = StarterModel(ModelConfig.from_dict(checkpoint["model_config"]))
    model.load_state_dict(checkpoint["model"])
    model.eval()
    with open(tokens_path, encoding="utf-8") as handle:
        tokens = json.load(handle)
    with torch.no_grad():
        logits = model(torch.tensor([tokens], dtype=torch.long))[0].float()
    with open(out_path, "wb") as handle:
        handle.write(logits.numpy().astype("<f4").tobytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
