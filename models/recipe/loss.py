"""The next-token loss without full logits: cross-entropy over the 49,152-word
vocabulary, computed over chunks of rows.

The plain way, F.cross_entropy(hidden @ embed.T, targets), materialises the
logits of every position (batch x time x 49,152: 2.4 GiB in bf16 and twice that
again in float32 for gpu-base's 32 x 2,048 rows) and keeps them, and the
log-softmax, for the backward pass. Here each chunk of rows computes its logits,
their log-sum-exp and, in the same pass, the gradient of the mean loss with
respect to the hidden states and to the (tied) output matrix, then drops them:
memory is one chunk's logits, and the output matrix is read twice per chunk
instead of the logits being written and read several times. The loss value is
the same as the plain one's (mean over targets that are not -100); the
gradients too, up to float rounding (check_kernels.py compares both).

The gradients are computed in forward for an upstream gradient of 1 and scaled
in backward, which is exact because the loss is a scalar (the approach of
Liger Kernel's fused linear cross-entropy).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

IGNORE = -100


def default_chunk_rows(device_type: str, vocab_size: int) -> int:
    """Rows per chunk: about 2 GiB of float32 logits on a GPU, 32 MiB on a CPU (cache-friendlier)."""
    budget = (1 << 29) if device_type == "cuda" else (1 << 23)
    return max(16, budget // vocab_size)


def _chunk_logits(hidden: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    return (hidden.to(weight.dtype) @ weight.t()).float()


class _LinearCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, hidden, weight, targets, chunk_rows, compute_dtype):
        # hidden (rows, dim), weight (vocab, dim), targets (rows,)
        w = weight.to(compute_dtype)
        count = (targets != IGNORE).sum()
        scale = 1.0 / count.clamp(min=1).float()
        want_hidden, want_weight = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        grad_hidden = torch.empty_like(hidden) if want_hidden else None
        grad_weight = torch.zeros(weight.shape, dtype=torch.float32, device=weight.device) if want_weight else None
        total = torch.zeros((), dtype=torch.float32, device=hidden.device)
        for start in range(0, hidden.shape[0], chunk_rows):
            h = hidden[start : start + chunk_rows].to(compute_dtype)
            t = targets[start : start + chunk_rows]
            valid = t != IGNORE
            safe = torch.where(valid, t, torch.zeros_like(t))
            logits = _chunk_logits(h, w)
            lse = torch.logsumexp(logits, dim=-1)
            picked = logits.gather(1, safe[:, None])[:, 0]
            total += ((lse - picked) * valid).sum()
            if want_hidden or want_weight:
                # d(mean loss)/d(logits) = (softmax - onehot(target)) / count, zero for ignored rows:
                # exp(logits - lse + log(1/count)) in place (an infinite shift zeroes an ignored row),
                # then 1/count off each target.
                shift = torch.where(valid, lse - torch.log(scale), torch.full_like(lse, float("inf")))
                grad = logits.sub_(shift[:, None]).exp_()
                grad.scatter_add_(1, safe[:, None], -(valid.float() * scale)[:, None])
                grad = grad.to(compute_dtype)
                if want_hidden:
                    grad_hidden[start : start + chunk_rows] = (grad @ w).to(hidden.dtype)
                if want_weight:
                    grad_weight += (grad.t() @ h).float()
        ctx.grads, ctx.weight_dtype = (grad_hidden, grad_weight), weight.dtype
        return total * scale

    @staticmethod
    def backward(ctx, grad_output):
        grad_hidden, grad_weight = ctx.grads
        return (
            grad_hidden * grad_output.to(grad_hidden.dtype) if grad_hidden is not None else None,
            (grad_weight * grad_output).to(ctx.weight_dtype) if grad_weight is not None else None,
            None, None, None,
        )


def linear_cross_entropy(hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, chunk_rows: int,
                         compute_dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Mean of cross_entropy(hidden @ weight.T, targets, ignore_index=-100), chunked.
    hidden (..., dim), targets (...). compute_dtype: the matmuls' dtype (bf16 under
    a GPU's autocast, as the plain path's logits would be); softmax in float32."""
    return _LinearCrossEntropy.apply(hidden.reshape(-1, hidden.shape[-1]), weight, targets.reshape(-1), chunk_rows, compute_dtype)


def plain_cross_entropy(hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor,
                        compute_dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The reference: full logits, then F.cross_entropy."""
    logits = _chunk_logits(hidden.reshape(-1, hidden.shape[-1]).to(compute_dtype), weight.to(compute_dtype))
    return F.cross_entropy(logits, targets.reshape(-1), ignore_index=IGNORE)


@torch.no_grad()
def token_losses(hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, chunk_rows: int,
                 compute_dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Per-token losses (0 where the target is -100), flattened, chunked; for evaluation."""
    hidden, targets = hidden.reshape(-1, hidden.shape[-1]), targets.reshape(-1)
    w = weight.to(compute_dtype)
    out = torch.empty(hidden.shape[0], dtype=torch.float32, device=hidden.device)
    for start in range(0, hidden.shape[0], chunk_rows):
        t = targets[start : start + chunk_rows]
        logits = _chunk_logits(hidden[start : start + chunk_rows].to(compute_dtype), w)
        out[start : start + chunk_rows] = F.cross_entropy(logits, t, ignore_index=IGNORE, reduction="none")
    return out
