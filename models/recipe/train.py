#!/usr/bin/env python3
"""Trains Hearth's starter code model on the token shards in models/recipe/data/.

    python3 models/recipe/train.py --preset cpu-small                # CPU, one thread
    python3 models/recipe/train.py --preset cpu-small --resume       # carry on after a crash or a stop
    python3 models/recipe/train.py --preset gpu-base --max-minutes 9 --resume   # on a GPU, in 10-minute slices

Next-token prediction over documents, half of them rewritten into
fill-in-the-middle samples (both PSM and SPM orders; see data.py). AdamW with
a linear warmup and a cosine decay over --max-steps, gradient clipping, and a
fixed seed. A checkpoint (model, optimizer, data position, RNG state) is
written atomically every --save-every steps and every --save-minutes minutes,
and when the run stops for --max-minutes or a SIGTERM/SIGINT; --resume picks
up from it, so a run can be spread over several short commands. One JSON line
per logged step goes to stdout and to <run-dir>/log.jsonl.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import KIND_MIDDLE, FimSettings, Packer, Split, load_manifest, newline_token_mask, specials_of  # noqa: E402
from model import PRESETS, ModelConfig, StarterModel, preset_with  # noqa: E402

CHECKPOINT_FORMAT = "hearth-starter-checkpoint/1"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", default="cpu-small", choices=sorted(PRESETS))
    p.add_argument("--data", default=os.path.join(HERE, "data"), help="folder with manifest.json and the shards")
    p.add_argument("--run-dir", help="checkpoint and log folder (default models/recipe/runs/<preset>)")
    p.add_argument("--vocab", default=os.path.join(ROOT, "models", "vocab", "ggml-vocab-starcoder.gguf"),
                   help="vocabulary GGUF, to find newline tokens for line-aligned FIM splits (without it: token-level splits only)")
    p.add_argument("--resume", action="store_true", help="continue from <run-dir>/checkpoint.pt when it exists")
    p.add_argument("--max-steps", type=int, help="optimizer steps of the whole run (the cosine schedule's length)")
    p.add_argument("--max-minutes", type=float, help="stop (with a checkpoint) after this many minutes of this invocation")
    p.add_argument("--stop-at-step", type=int, help="stop (with a checkpoint) at this step without ending the schedule; for tests")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float, dest="learning_rate")
    p.add_argument("--warmup-steps", type=int)
    p.add_argument("--eval-every", type=int)
    p.add_argument("--eval-batches", type=int)
    p.add_argument("--save-every", type=int, help="checkpoint every N steps (default: --eval-every)")
    p.add_argument("--save-minutes", type=float, default=5.0, help="checkpoint at least this often")
    p.add_argument("--log-every", type=int, default=1)
    p.add_argument("--seed", type=int, default=20250)
    p.add_argument("--fim-rate", type=float, default=0.5)
    p.add_argument("--spm-rate", type=float, default=0.5)
    p.add_argument("--line-rate", type=float, default=0.5)
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--threads", type=int, help="CPU threads for torch (default 1 on CPU, so the machine stays usable)")
    p.add_argument("--compile", action="store_true", help="torch.compile the model (torch >= 2, GPU)")
    return p.parse_args(argv)


def learning_rate(step: int, peak: float, warmup: int, total: int, min_ratio: float) -> float:
    """Linear warmup to the peak, then a cosine down to min_ratio x peak at `total` steps."""
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return peak * (min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))


def batch_tensors(batch, device):
    """Inputs, targets and doc ids from packed rows. A target that belongs to
    the next packed sample is ignored (-100): it cannot be predicted from the
    current one, which the attention mask keeps the model from seeing."""
    tokens, docs, kinds = (torch.from_numpy(np.ascontiguousarray(a)) for a in batch)
    inputs, targets = tokens[:, :-1], tokens[:, 1:].clone()
    targets[docs[:, 1:] != docs[:, :-1]] = -100
    return (inputs.to(device), targets.to(device), docs[:, :-1].to(device), kinds[:, 1:].to(device))


def loss_of(model, inputs, targets, doc_ids, autocast):
    with autocast():
        logits = model(inputs, doc_ids)
    return F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100)


@torch.no_grad()
def evaluate(model, make_packer, batches, batch_size, device, autocast):
    """Mean held-out loss over fixed rows (the same rows at every evaluation),
    over all tokens and over FIM middles only."""
    model.eval()
    packer = make_packer()
    total = total_n = middle = middle_n = 0.0
    for _ in range(batches):
        inputs, targets, docs, kinds = batch_tensors(packer.next_batch(batch_size), device)
        with autocast():
            logits = model(inputs, docs)
        losses = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100, reduction="none")
        valid = targets.reshape(-1) != -100
        is_middle = valid & (kinds.reshape(-1) == KIND_MIDDLE)
        total += losses[valid].sum().item()
        total_n += valid.sum().item()
        middle += losses[is_middle].sum().item()
        middle_n += is_middle.sum().item()
    model.train()
    return {"heldout_loss": total / max(1, total_n), "heldout_middle_loss": middle / max(1, middle_n) if middle_n else None}


def save_checkpoint(path: str, payload: dict) -> None:
    """Write to a temporary name and rename: a crash mid-write leaves the previous checkpoint intact."""
    partial = f"{path}.{os.getpid()}.partial"
    torch.save(payload, partial)
    os.replace(partial, path)


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    device = torch.device("cuda" if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available()) else "cpu")
    if device.type == "cpu":
        torch.set_num_threads(args.threads or 1)
    elif args.threads:
        torch.set_num_threads(args.threads)

    preset = preset_with(
        args.preset,
        batch_size=args.batch_size, learning_rate=args.learning_rate, warmup_steps=args.warmup_steps,
        max_steps=args.max_steps, eval_every=args.eval_every, eval_batches=args.eval_batches,
    )
    tc = preset.train
    run_dir = args.run_dir or os.path.join(HERE, "runs", args.preset)
    os.makedirs(run_dir, exist_ok=True)
    checkpoint_path = os.path.join(run_dir, "checkpoint.pt")
    log_file = open(os.path.join(run_dir, "log.jsonl"), "a", encoding="utf-8")

    def log(record: dict) -> None:
        line = json.dumps(record)
        print(line, flush=True)
        log_file.write(line + "\n")
        log_file.flush()

    resume = torch.load(checkpoint_path, map_location="cpu", weights_only=False) if args.resume and os.path.exists(checkpoint_path) else None
    if resume is not None:
        if resume.get("format") != CHECKPOINT_FORMAT:
            raise SystemExit(f"{checkpoint_path}: not a {CHECKPOINT_FORMAT} checkpoint")
        config = ModelConfig.from_dict(resume["model_config"])
        if config != preset.model:
            raise SystemExit(f"{checkpoint_path} was trained with another model shape than preset {args.preset}")
        seed, fim = resume["seed"], FimSettings(**resume["fim"])
    else:
        config, seed = preset.model, args.seed
        fim = FimSettings(rate=args.fim_rate, spm_rate=args.spm_rate, line_rate=args.line_rate)
    torch.manual_seed(seed)

    manifest = load_manifest(args.data)
    if manifest["vocabSize"] > config.vocab_size:
        raise SystemExit(f"the shards use {manifest['vocabSize']} tokens, the model has {config.vocab_size} embedding rows")
    specials = specials_of(manifest)
    newline = newline_token_mask(args.vocab, config.vocab_size)
    if not newline.any():
        print(f"note: no vocabulary at {args.vocab}; FIM split points are token-level only", file=sys.stderr)
    train_split = Split(args.data, manifest, "train")
    heldout_split = Split(args.data, manifest, "heldout") if manifest["splits"].get("heldout", {}).get("shards") else None
    packer = Packer(train_split, specials, newline, config.context, seed, fim, state=resume["data"] if resume else None)

    def heldout_packer():
        # Fixed rows: a fresh packer with its own seed, always from the start.
        return Packer(heldout_split, specials, newline, config.context, seed + 1, fim)

    model = StarterModel(config).to(device)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]  # norm weights
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": tc.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=tc.learning_rate, betas=(0.9, 0.95), eps=1e-8,
    )
    step, tokens_seen, train_seconds, last_eval = 0, 0, 0.0, None
    if resume is not None:
        model.load_state_dict(resume["model"])
        optimizer.load_state_dict(resume["optimizer"])
        step, tokens_seen, train_seconds = resume["step"], resume["tokens_seen"], resume["train_seconds"]
        last_eval = resume.get("last_eval")
        torch.set_rng_state(resume["torch_rng"])
        if device.type == "cuda" and resume.get("cuda_rng") is not None:
            torch.cuda.set_rng_state(resume["cuda_rng"])

    train_model = torch.compile(model) if args.compile and hasattr(torch, "compile") else model
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        autocast = lambda: torch.autocast("cuda", dtype=torch.bfloat16)  # noqa: E731
    else:
        import contextlib
        autocast = contextlib.nullcontext

    def checkpoint(reason: str) -> None:
        save_checkpoint(checkpoint_path, {
            "format": CHECKPOINT_FORMAT,
            "preset": args.preset,
            "model_config": config.to_dict(),
            "train_config": tc.to_dict(),
            "fim": fim.__dict__,
            "seed": seed,
            "step": step,
            "tokens_seen": tokens_seen,
            "train_seconds": train_seconds,
            "last_eval": last_eval,
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "data": packer.state(),
            "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state() if device.type == "cuda" else None,
        })
        log({"event": "checkpoint", "reason": reason, "step": step, "tokens_seen": tokens_seen, "path": checkpoint_path})

    stop_signal = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda number, _frame: stop_signal.append(number))

    log({
        "event": "start", "preset": args.preset, "device": str(device), "threads": torch.get_num_threads(),
        "torch": torch.__version__, "parameters": model.parameter_count(), "model": config.to_dict(), "train": tc.to_dict(),
        "fim": fim.__dict__, "seed": seed, "resumed_from_step": step if resume else None,
        "train_tokens": train_split.token_count, "train_documents": len(train_split.docs),
        "heldout_tokens": heldout_split.token_count if heldout_split else 0,
    })

    save_every = args.save_every or tc.eval_every
    last_save, saved_step = time.monotonic(), (step if resume else None)
    stop_reason = None
    model.train()
    while True:
        if step >= tc.max_steps:
            stop_reason = "max-steps"
            break
        if args.stop_at_step is not None and step >= args.stop_at_step:
            stop_reason = "stop-at-step"
            break
        if args.max_minutes is not None and time.monotonic() - started >= args.max_minutes * 60:
            stop_reason = "max-minutes"
            break
        if stop_signal:
            stop_reason = f"signal {stop_signal[0]}"
            break

        step_started = time.monotonic()
        lr = learning_rate(step, tc.learning_rate, tc.warmup_steps, tc.max_steps, tc.min_lr_ratio)
        for group in optimizer.param_groups:
            group["lr"] = lr
        inputs, targets, docs, _kinds = batch_tensors(packer.next_batch(tc.batch_size), device)
        loss = loss_of(train_model, inputs, targets, docs, autocast)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), tc.grad_clip)
        optimizer.step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.monotonic() - step_started
        step += 1
        tokens_seen += inputs.numel()
        train_seconds += seconds

        record = None
        if step % args.log_every == 0 or step == 1:
            record = {
                "step": step, "loss": round(loss.item(), 4), "lr": round(lr, 6), "grad_norm": round(float(grad_norm), 3),
                "tokens_seen": tokens_seen, "tokens_per_s": round(inputs.numel() / seconds, 1),
                "elapsed_s": round(train_seconds, 1), "epoch": packer.epoch,
            }
        if heldout_split is not None and (step % tc.eval_every == 0 or step == tc.max_steps):
            last_eval = {"step": step, **evaluate(model, heldout_packer, tc.eval_batches, tc.batch_size, device, autocast)}
            record = {**(record or {"step": step}), **{k: (round(v, 4) if v is not None else None) for k, v in last_eval.items() if k != "step"}}
        if record is not None:
            log(record)
        if step % save_every == 0 or time.monotonic() - last_save >= args.save_minutes * 60:
            checkpoint("periodic")
            last_save, saved_step = time.monotonic(), step

    if saved_step != step:
        checkpoint(stop_reason)
    log({"event": "stop", "reason": stop_reason, "step": step, "tokens_seen": tokens_seen, "train_seconds": round(train_seconds, 1),
         "last_eval": last_eval, "finished": step >= tc.max_steps})
    return 0


if __name__ == "__main__":
    sys.exit(main())
