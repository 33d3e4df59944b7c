"""The starter model: a llama-architecture decoder written so that every
operation is the one llama.cpp runs for `general.architecture = llama`.

Why each choice:
- RMSNorm before attention and before the feed-forward block, and once more
  before the output projection (llama.cpp: attn_norm, ffn_norm, output_norm).
- Rotary position embeddings in GGML's "normal" layout, which rotates
  *adjacent* pairs (x[2i], x[2i+1]). Hugging Face's llama code rotates the two
  halves of each head instead, which is why llama.cpp's converter permutes the
  q/k weights of HF checkpoints. Training in GGML's layout directly means the
  exported q/k weights need no permutation at all; the parity check
  (logits from PyTorch vs llama.cpp) proves it.
- Grouped-query attention: query head h uses key/value head h // (heads / kv_heads),
  the grouping ggml's broadcasting matrix multiply uses.
- SwiGLU feed-forward: down(silu(gate(x)) * up(x)).
- Tied embeddings: the output projection is the token embedding matrix, so
  the exported GGUF has token_embd.weight and no output.weight (llama.cpp
  falls back to token_embd for the output). It halves the size of a model
  whose parameters are mostly the 49,152-row vocabulary.
- No biases anywhere, as in llama.
"""

from __future__ import annotations

import importlib
import inspect
import math
from dataclasses import asdict, dataclass, replace

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class ModelConfig:
    vocab_size: int = 49152
    dim: int = 256
    layers: int = 6
    heads: int = 8
    kv_heads: int = 4
    ffn: int = 704
    context: int = 1024
    rope_base: float = 10000.0
    rms_eps: float = 1e-5

    @property
    def head_dim(self) -> int:
        return self.dim // self.heads

    def validate(self) -> None:
        if self.dim % self.heads:
            raise ValueError("dim must be a multiple of heads")
        if self.heads % self.kv_heads:
            raise ValueError("heads must be a multiple of kv_heads")
        if self.head_dim % 2:
            raise ValueError("rotary embeddings need an even head dimension")
        # Q8_0 quantizes rows in blocks of 32 values; every matrix's row length
        # (dim for most, ffn for ffn_down) must be a multiple of 32.
        if self.dim % 32 or self.ffn % 32:
            raise ValueError("dim and ffn must be multiples of 32 for Q8_0")

    def to_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_dict(values: dict) -> "ModelConfig":
        return ModelConfig(**values)


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings that belong to a preset (the CLI may override them)."""

    batch_size: int = 4
    learning_rate: float = 2e-3
    min_lr_ratio: float = 0.1
    warmup_steps: int = 30
    max_steps: int = 400
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    eval_batches: int = 8
    eval_every: int = 100

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    model: ModelConfig
    train: TrainConfig


# Sizes. Parameters are dominated by the embedding (49,152 x dim), so the
# GGUF size is roughly (49,152 x dim + layers x per-layer) x 1.0625 bytes at Q8_0.
PRESETS: dict[str, Preset] = {
    "test-tiny": Preset(
        name="test-tiny",
        description="a few seconds per step on one CPU thread; for the automated recipe test only",
        model=ModelConfig(dim=64, layers=2, heads=4, kv_heads=2, ffn=192, context=128),
        train=TrainConfig(batch_size=2, learning_rate=3e-3, warmup_steps=2, max_steps=8, eval_batches=2, eval_every=4),
    ),
    "cpu-small": Preset(
        name="cpu-small",
        description="~17M parameters (~18 MB at Q8_0); what one CPU thread trains in about an hour (~390 tokens/s; 260 before per-document attention)",
        model=ModelConfig(dim=256, layers=6, heads=8, kv_heads=4, ffn=704, context=1024),
        # Small batches (2 x 1024 tokens): with ~1M tokens in an hour, more
        # updates matter more than less noisy ones.
        train=TrainConfig(batch_size=2, learning_rate=2.5e-3, warmup_steps=20, max_steps=420, eval_batches=4, eval_every=50),
    ),
    "gpu-base": Preset(
        name="gpu-base",
        description="~48M parameters (~53 MB at Q8_0); for a GPU, e.g. 20-30 minutes on one H100",
        model=ModelConfig(dim=512, layers=8, heads=8, kv_heads=4, ffn=1376, context=2048),
        # 32 x 2048 = 65k tokens per step; 6,000 steps = 393M tokens.
        train=TrainConfig(batch_size=32, learning_rate=1.5e-3, warmup_steps=200, max_steps=6000, eval_batches=16, eval_every=500),
    ),
}


def preset_with(name: str, **train_overrides) -> Preset:
    preset = PRESETS[name]
    overrides = {k: v for k, v in train_overrides.items() if v is not None}
    return replace(preset, train=replace(preset.train, **overrides))


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Normalise in float32 even under autocast, as ggml does.
        normed = x.float() * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + self.eps)
        return normed.type_as(x) * self.weight


def rope_tables(head_dim: int, length: int, base: float, device) -> tuple[torch.Tensor, torch.Tensor]:
    """cos/sin of position p times base^(-2i/head_dim) for each adjacent pair i (ggml's theta_scale)."""
    inverse = base ** (-torch.arange(0, head_dim, 2, device=device, dtype=torch.float64) / head_dim)
    angles = torch.arange(length, device=device, dtype=torch.float64)[:, None] * inverse[None, :]
    return torch.cos(angles).float(), torch.sin(angles).float()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """x: (batch, heads, time, head_dim). Rotates (x[2i], x[2i+1]) by the pair's angle (GGML_ROPE_TYPE_NORM)."""
    pairs = x.float().reshape(*x.shape[:-1], -1, 2)
    a, b = pairs[..., 0], pairs[..., 1]
    rotated = torch.stack((a * cos - b * sin, a * sin + b * cos), dim=-1)
    return rotated.flatten(-2).type_as(x)


# --- attention over packed documents ------------------------------------------------------------
# A training row packs several samples; each position may attend to earlier
# positions of its own sample only. Three kernels compute exactly that:
#   masked    a dense (batch, 1, time, time) boolean mask: SDPA with the mask on
#             torch >= 2.0, the softmax spelled out on older torch (Debian's 1.13).
#             Runs everywhere; time x time work and memory per row and head.
#   segments  causal attention over each document's stretch of each row on its
#             own, no mask (SDPA's is_causal on torch >= 2.0: flash attention on a
#             GPU). Skips the cross-document blocks; one call per stretch.
#   flex      FlexAttention (torch >= 2.5) with a block mask made from the doc ids:
#             one fused kernel that skips whole blocks outside the documents and
#             shares kv heads without copying them. GPU.
# The inference side (llama.cpp) needs none of this: it sees one sample at a time.

ATTENTION_KERNELS = ("masked", "segments", "flex")


def _flex_module():
    try:
        module = importlib.import_module("torch.nn.attention.flex_attention")  # torch >= 2.5
    except ImportError:
        return None
    return module if hasattr(module, "create_block_mask") else None


def attention_kernels_available(device_type: str) -> list[str]:
    """Kernels this torch can run on this device type ("cpu" or "cuda")."""
    kernels = ["masked", "segments"]
    if device_type == "cuda" and _flex_module() is not None:
        kernels.append("flex")
    return kernels


_compiled_flex = None


class AttentionPlan:
    """What one forward pass needs to keep attention inside documents:
    `mask` (masked), `segments` (per row, a list of (start, end)), or
    `block_mask` (flex)."""

    def __init__(self, kernel: str, mask=None, segments=None, block_mask=None):
        self.kernel, self.mask, self.segments, self.block_mask = kernel, mask, segments, block_mask

    @staticmethod
    def make(kernel: str, doc_ids, time: int, device) -> "AttentionPlan":
        if kernel == "masked":
            causal = torch.ones(time, time, dtype=torch.bool, device=device).tril()
            if doc_ids is None:
                return AttentionPlan(kernel, mask=causal[None, None])
            return AttentionPlan(kernel, mask=((doc_ids[:, :, None] == doc_ids[:, None, :]) & causal[None])[:, None])
        if kernel == "segments":
            if doc_ids is None:
                return AttentionPlan(kernel, segments=None)
            ids = doc_ids.cpu()
            rows = []
            for row in ids:
                cuts = (torch.nonzero(row[1:] != row[:-1]).flatten() + 1).tolist()
                bounds = [0] + cuts + [time]
                rows.append(list(zip(bounds[:-1], bounds[1:])))
            return AttentionPlan(kernel, segments=rows)
        if kernel == "flex":
            module = _flex_module()
            if doc_ids is None:
                def mask_mod(b, h, q, kv):
                    return q >= kv
                batch = 1
            else:
                docs = doc_ids

                def mask_mod(b, h, q, kv):
                    return (q >= kv) & (docs[b, q] == docs[b, kv])
                batch = doc_ids.shape[0]
            extra = {"_compile": True} if "_compile" in inspect.signature(module.create_block_mask).parameters else {}
            block_mask = module.create_block_mask(mask_mod, B=batch, H=None, Q_LEN=time, KV_LEN=time, device=device, **extra)
            return AttentionPlan(kernel, block_mask=block_mask)
        raise ValueError(f"unknown attention kernel {kernel!r}; one of {', '.join(ATTENTION_KERNELS)}")


def _repeat_kv(k: torch.Tensor, group: int) -> torch.Tensor:
    # Consecutive query heads share a kv head: 0,1 -> 0; 2,3 -> 1 (ggml's broadcast).
    return k.repeat_interleave(group, dim=1) if group > 1 else k


def _causal(q, k, v, mask=None):
    """softmax(q k^T / sqrt(d) + mask) v; causal when no mask is given. k, v already have q's heads."""
    if hasattr(F, "scaled_dot_product_attention"):
        # torch >= 2.0: fused kernels (flash attention when there is no mask).
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=mask is None)
    # torch 1.13 (Debian's python3-torch): the same thing spelled out.
    if mask is None:
        mask = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool, device=q.device).tril()
    scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(q.shape[-1]))
    scores = scores.float().masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1).type_as(v) @ v


def attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, plan: AttentionPlan) -> torch.Tensor:
    """q: (batch, heads, time, head_dim); k, v: (batch, kv_heads, time, head_dim)."""
    group = q.shape[1] // k.shape[1]
    if plan.kernel == "masked":
        return _causal(q, _repeat_kv(k, group), _repeat_kv(v, group), plan.mask)
    if plan.kernel == "segments":
        k, v = _repeat_kv(k, group), _repeat_kv(v, group)
        if plan.segments is None:
            return _causal(q, k, v)
        rows = []
        for b, stretches in enumerate(plan.segments):
            parts = [_causal(q[b : b + 1, :, s:e], k[b : b + 1, :, s:e], v[b : b + 1, :, s:e]) for s, e in stretches]
            rows.append(parts[0] if len(parts) == 1 else torch.cat(parts, dim=2))
        return torch.cat(rows, dim=0)
    if plan.kernel == "flex":
        global _compiled_flex
        module = _flex_module()
        if torch.compiler.is_compiling():
            run = module.flex_attention  # inside a compiled trunk: compiled with it
        else:
            # Eager flex attention is a slow reference; compiled once, it is one fused kernel.
            _compiled_flex = _compiled_flex or torch.compile(module.flex_attention, dynamic=False)
            run = _compiled_flex
        return run(q, k, v, block_mask=plan.block_mask, enable_gqa=group > 1)
    raise ValueError(f"unknown attention kernel {plan.kernel!r}")


class Attention(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        hd = config.head_dim
        # nn.Linear stores weight as (out, in) row-major, which is exactly a GGUF
        # tensor of shape [in, out] (ggml lists the contiguous dimension first).
        self.q = nn.Linear(config.dim, config.heads * hd, bias=False)
        self.k = nn.Linear(config.dim, config.kv_heads * hd, bias=False)
        self.v = nn.Linear(config.dim, config.kv_heads * hd, bias=False)
        self.o = nn.Linear(config.heads * hd, config.dim, bias=False)

    def forward(self, x, cos, sin, plan: "AttentionPlan"):
        c = self.config
        batch, time, _ = x.shape
        q = self.q(x).view(batch, time, c.heads, c.head_dim).transpose(1, 2)
        k = self.k(x).view(batch, time, c.kv_heads, c.head_dim).transpose(1, 2)
        v = self.v(x).view(batch, time, c.kv_heads, c.head_dim).transpose(1, 2)
        q = apply_rope(q, cos, sin)
        k = apply_rope(k, cos, sin)
        out = attend(q, k, v, plan)
        out = out.transpose(1, 2).reshape(batch, time, c.heads * c.head_dim)
        return self.o(out)


class FeedForward(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.gate = nn.Linear(config.dim, config.ffn, bias=False)
        self.up = nn.Linear(config.dim, config.ffn, bias=False)
        self.down = nn.Linear(config.ffn, config.dim, bias=False)

    def forward(self, x):
        return self.down(F.silu(self.gate(x)) * self.up(x))


class Block(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.attn_norm = RMSNorm(config.dim, config.rms_eps)
        self.attn = Attention(config)
        self.ffn_norm = RMSNorm(config.dim, config.rms_eps)
        self.ffn = FeedForward(config)

    def forward(self, x, cos, sin, plan):
        x = x + self.attn(self.attn_norm(x), cos, sin, plan)
        return x + self.ffn(self.ffn_norm(x))


class StarterModel(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        config.validate()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.dim)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.layers))
        self.norm = RMSNorm(config.dim, config.rms_eps)
        # The attention kernel (ATTENTION_KERNELS); all compute the same function.
        self.attention = "masked"
        self._init_weights()

    def _init_weights(self) -> None:
        # Small normal init (GPT-2 style); the projections that write into the
        # residual stream are scaled down by depth so the stream's variance does
        # not grow with the number of layers.
        std = 0.02
        for name, param in self.named_parameters():
            if param.dim() == 2:
                scale = std / math.sqrt(2 * self.config.layers) if name.endswith(("attn.o.weight", "ffn.down.weight")) else std
                nn.init.normal_(param, mean=0.0, std=scale)

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def attention_plan(self, doc_ids: torch.Tensor | None, time: int, device) -> "AttentionPlan":
        """How attention keeps to causal order within each packed document, in
        the form self.attention's kernel takes (see AttentionPlan)."""
        return AttentionPlan.make(self.attention, doc_ids, time, device)

    def trunk(self, tokens: torch.Tensor, plan: "AttentionPlan") -> torch.Tensor:
        """The final-normed hidden states (batch, time, dim): everything but the
        output projection. What --compile compiles (the plan is made outside)."""
        cos, sin = rope_tables(self.config.head_dim, tokens.shape[1], self.config.rope_base, tokens.device)
        x = self.embed(tokens)
        for block in self.blocks:
            x = block(x, cos, sin, plan)
        return self.norm(x)

    def hidden(self, tokens: torch.Tensor, doc_ids: torch.Tensor | None = None) -> torch.Tensor:
        return self.trunk(tokens, self.attention_plan(doc_ids, tokens.shape[1], tokens.device))

    def forward(self, tokens: torch.Tensor, doc_ids: torch.Tensor | None = None) -> torch.Tensor:
        """Logits (batch, time, vocab). `doc_ids` (batch, time) limits attention to
        positions of the same packed document, so each sample sees only itself,
        as it would at inference with a fresh context."""
        return self.hidden(tokens, doc_ids) @ self.embed.weight.t()  # tied output projection


def gguf_tensors(model: StarterModel) -> list[tuple[str, torch.Tensor]]:
    """The model's weights under llama.cpp's tensor names, in GGUF order.
    Shapes are PyTorch's (out, in); a GGUF writer lists them reversed ([in, out])."""
    out = [("token_embd.weight", model.embed.weight)]
    for i, block in enumerate(model.blocks):
        p = f"blk.{i}"
        out += [
            (f"{p}.attn_norm.weight", block.attn_norm.weight),
            (f"{p}.attn_q.weight", block.attn.q.weight),
            (f"{p}.attn_k.weight", block.attn.k.weight),
            (f"{p}.attn_v.weight", block.attn.v.weight),
            (f"{p}.attn_output.weight", block.attn.o.weight),
            (f"{p}.ffn_norm.weight", block.ffn_norm.weight),
            (f"{p}.ffn_gate.weight", block.ffn.gate.weight),
            (f"{p}.ffn_up.weight", block.ffn.up.weight),
            (f"{p}.ffn_down.weight", block.ffn.down.weight),
        ]
    out.append(("output_norm.weight", model.norm.weight))
    return out
