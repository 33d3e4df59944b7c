#!/usr/bin/env python3
"""Trains Hearth's starter code model on the token shards in models/recipe/data/.

    python3 models/recipe/train.py --preset cpu-small                # CPU, one thread
    python3 models/recipe/train.py --preset cpu-small --resume       # carry on after a crash or a stop
    python3 models/recipe/train.py --preset gpu-base --fit-minutes 8 --compile   # on a GPU: a schedule that ends in 8 minutes
    python3 models/recipe/train.py --preset gpu-base --fit-minutes 8 --resume    # continue that schedule after a stop

Next-token prediction over documents, half of them rewritten into
fill-in-the-middle samples (both PSM and SPM orders; see data.py). AdamW with
a linear warmup and a cosine decay over --max-steps, gradient clipping, and a
fixed seed. A checkpoint (model, optimizer, data position, RNG state, the
schedule) is written atomically every --save-every steps and every
--save-minutes minutes, and when the run stops for --max-minutes or a
SIGTERM/SIGINT; --resume picks up from it, so a run can be spread over several
short commands. One JSON line per logged step goes to stdout and to
<run-dir>/log.jsonl.

--fit-minutes M sizes the schedule to the time at hand instead of --max-steps:
after --fit-warmup-steps steps (compilation, allocator warm-up) it times
--fit-measure-steps steps, one evaluation and one checkpoint, and sets the
schedule's length (max_steps, so the cosine) to what fits in M minutes counted
from the start of this command, evaluations and checkpoints included
(an "event": "fit" log line gives every figure of the sum). The decision is
kept in the checkpoint: --resume continues the same schedule. M minutes plus 5 %
is also this command's hard stop (with a checkpoint) unless --max-minutes says otherwise.

Kernels (--attention, --loss, --compile): attention keeps each packed sample to
itself with FlexAttention's block mask on a GPU with torch >= 2.5 (checked
against the dense masked attention at start, which it falls back to), per
document causal attention on a CPU, a dense mask otherwise; the 49,152-way
cross-entropy is computed over chunks of rows without materialising the full
logits (loss.py); --compile compiles the transformer trunk (torch >= 2). See
models/recipe/README.md; check_kernels.py proves the variants equal.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import math
import os
import signal
import sys
import time
from dataclasses import replace

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loss import default_chunk_rows, linear_cross_entropy, plain_cross_entropy, token_losses  # noqa: E402
from data import KIND_MIDDLE, FimSettings, Packer, Split, load_manifest, newline_token_mask, specials_of  # noqa: E402
from model import ATTENTION_KERNELS, PRESETS, ModelConfig, StarterModel, attention_kernels_available, preset_with  # noqa: E402

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
    p.add_argument("--compile", action="store_true", help="torch.compile the transformer trunk (torch >= 2; pays on a GPU); falls back to eager if compiling fails")
    p.add_argument("--fit-minutes", type=float, help="fit the schedule (max_steps) to end inside this many minutes of this command, from measured step times")
    p.add_argument("--fit-warmup-steps", type=int, default=3, help="--fit-minutes: steps not timed (compilation, warm-up)")
    p.add_argument("--fit-measure-steps", type=int, default=10, help="--fit-minutes: steps timed for the step time")
    p.add_argument("--attention", default="auto", choices=["auto", *ATTENTION_KERNELS],
                   help="attention kernel (auto: flex on a GPU with torch >= 2.5, segments on a CPU, masked otherwise)")
    p.add_argument("--loss", default="chunked", choices=["chunked", "plain"], help="cross-entropy over chunks of rows, or over full logits")
    p.add_argument("--loss-chunk-rows", type=int, help="rows per cross-entropy chunk (default: about 2 GiB of logits on a GPU, 32 MiB on a CPU)")
    return p.parse_args(argv)


def learning_rate(step: int, peak: float, warmup: int, total: int, min_ratio: float) -> float:
    """Linear warmup to the peak, then a cosine down to min_ratio x peak at `total` steps
    (total infinite: the peak, while --fit-minutes has not yet chosen the length)."""
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


def choose_attention(requested: str, device, log) -> str:
    """The attention kernel: the one asked for, or on auto the fastest this torch
    has here. On a GPU, flex must first agree with the masked kernel on random
    inputs (values and gradients), so an unexpected torch falls back instead of
    training wrong or failing mid-lease."""
    available = attention_kernels_available(device.type)
    if requested != "auto":
        if requested not in available:
            raise SystemExit(f"--attention {requested} needs torch >= 2.5 and a GPU (torch {torch.__version__}, {device.type})")
        return requested
    if device.type != "cuda":
        return "segments"
    if "flex" in available:
        from check_kernels import check_attention  # noqa: E402
        try:
            report = check_attention("flex", device, torch.bfloat16, torch.Generator().manual_seed(1))
            worst = max(r["max_abs_diff"] / max(r["scale"], 1e-6) for r in report.values())
            log({"event": "kernel-check", "attention": "flex", "worst_relative_diff": round(worst, 5), "report": report})
            if worst < 0.05:
                return "flex"
        except Exception as error:  # noqa: BLE001 - any failure means: use the kernel that works
            log({"event": "kernel-check", "attention": "flex", "failed": f"{type(error).__name__}: {error}"})
    return "masked"


def batch_loss(trunk, model, inputs, targets, doc_ids, autocast, loss_kind, chunk_rows, compute_dtype):
    with autocast():
        hidden = trunk(inputs, model.attention_plan(doc_ids, inputs.shape[1], inputs.device))
    if loss_kind == "plain":
        return plain_cross_entropy(hidden, model.embed.weight, targets, compute_dtype)
    return linear_cross_entropy(hidden, model.embed.weight, targets, chunk_rows, compute_dtype)


@torch.no_grad()
def evaluate(model, make_packer, batches, batch_size, device, autocast, chunk_rows, compute_dtype):
    """Mean held-out loss over fixed rows (the same rows at every evaluation),
    over all tokens and over FIM middles only."""
    model.eval()
    packer = make_packer()
    total = total_n = middle = middle_n = 0.0
    for _ in range(batches):
        inputs, targets, docs, kinds = batch_tensors(packer.next_batch(batch_size), device)
        with autocast():
            hidden = model.hidden(inputs, docs)
        losses = token_losses(hidden, model.embed.weight, targets, chunk_rows, compute_dtype)
        valid = targets.reshape(-1) != -100
        is_middle = valid & (kinds.reshape(-1) == KIND_MIDDLE)
        total += losses[valid].sum().item()
        total_n += valid.sum().item()
        middle += losses[is_middle].sum().item()
        middle_n += is_middle.sum().item()
    model.train()
    return {"heldout_loss": total / max(1, total_n), "heldout_middle_loss": middle / max(1, middle_n) if middle_n else None}


def fit_schedule(*, fit_minutes, elapsed_s, step, step_times, eval_s, checkpoint_s, eval_every, save_every, save_minutes) -> dict:
    """The schedule's length that ends inside fit_minutes from this command's start.
    Each further step costs its measured time plus its share of the periodic
    evaluations and checkpoints; kept back: the final evaluation and checkpoint,
    the checkpoint that records this decision, and 2 % of the budget for noise."""
    step_s = sum(step_times) / len(step_times)
    reserve_s = eval_s + 2 * checkpoint_s + 0.02 * fit_minutes * 60
    budget_s = fit_minutes * 60 - elapsed_s - reserve_s
    effective_step_s = step_s + (eval_s / eval_every) + checkpoint_s * (1 / save_every + step_s / (save_minutes * 60))
    steps = max(0, math.floor(budget_s / effective_step_s))
    return {
        "event": "fit", "fit_minutes": fit_minutes, "decided_at_step": step, "elapsed_s": elapsed_s,
        "measured_steps": len(step_times), "step_s": step_s, "eval_s": eval_s, "checkpoint_s": checkpoint_s,
        "reserve_s": reserve_s, "budget_s": budget_s, "effective_step_s": effective_step_s,
        "max_steps": step + steps,
    }


def save_checkpoint(path: str, payload: dict) -> None:
    """Write to a temporary name and rename: a crash mid-write leaves the previous checkpoint intact."""
    partial = f"{path}.{os.getpid()}.partial"
    torch.save(payload, partial)
    os.replace(partial, path)


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    if args.fit_minutes is not None and args.max_steps is not None:
        raise SystemExit("--fit-minutes chooses max_steps itself: give one of --fit-minutes and --max-steps")
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
    fit = None  # the --fit-minutes decision, once made (here or in the run resumed)
    if resume is not None:
        if resume.get("format") != CHECKPOINT_FORMAT:
            raise SystemExit(f"{checkpoint_path}: not a {CHECKPOINT_FORMAT} checkpoint")
        config = ModelConfig.from_dict(resume["model_config"])
        if config != preset.model:
            raise SystemExit(f"{checkpoint_path} was trained with another model shape than preset {args.preset}")
        seed, fim = resume["seed"], FimSettings(**resume["fim"])
        fit = resume.get("fit")
        if fit is not None:
            if args.max_steps is not None:
                raise SystemExit(f"{checkpoint_path}: the schedule was fitted to {fit['max_steps']} steps (--fit-minutes); --max-steps would change it")
            # A fitted schedule stays what it was when the run began.
            tc = replace(tc, max_steps=fit["max_steps"])
    else:
        config, seed = preset.model, args.seed
        fim = FimSettings(rate=args.fim_rate, spm_rate=args.spm_rate, line_rate=args.line_rate)
    fitting = args.fit_minutes is not None and fit is None
    # While the length is still being measured, steps past the warmup use the peak rate.
    total_steps = math.inf if fitting else tc.max_steps
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
    fused = {"fused": True} if device.type == "cuda" and "fused" in inspect.signature(torch.optim.AdamW).parameters else {}
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": tc.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=tc.learning_rate, betas=(0.9, 0.95), eps=1e-8, **fused,
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

    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        autocast = lambda: torch.autocast("cuda", dtype=torch.bfloat16)  # noqa: E731
        compute_dtype = torch.bfloat16  # what autocast gives the output projection
    else:
        autocast = contextlib.nullcontext
        compute_dtype = torch.float32
    model.attention = choose_attention(args.attention, device, log)
    chunk_rows = args.loss_chunk_rows or default_chunk_rows(device.type, config.vocab_size)
    trunk = model.trunk
    compiled = False
    if args.compile:
        if not hasattr(torch, "compile"):
            print(f"note: torch {torch.__version__} has no torch.compile; --compile ignored", file=sys.stderr)
        elif model.attention == "segments":
            print("note: --compile does not go with --attention segments (a graph per document layout); ignored", file=sys.stderr)
        else:
            trunk, compiled = torch.compile(model.trunk), True

    def checkpoint(reason: str) -> None:
        save_checkpoint(checkpoint_path, {
            "format": CHECKPOINT_FORMAT,
            "preset": args.preset,
            "model_config": config.to_dict(),
            "train_config": tc.to_dict(),
            "fit": fit,
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
        "torch": torch.__version__, "parameters": model.parameter_count(), "model": config.to_dict(),
        "train": {**tc.to_dict(), "max_steps": None if fitting else tc.max_steps},
        "fim": fim.__dict__, "seed": seed, "resumed_from_step": step if resume else None,
        "schedule": "fitting" if fitting else ("fitted, from the checkpoint" if fit else "fixed"),
        "kernels": {"attention": model.attention, "loss": args.loss, "loss_chunk_rows": chunk_rows if args.loss == "chunked" else None,
                    "compile": compiled, "fused_adamw": bool(fused)},
        "train_tokens": train_split.token_count, "train_documents": len(train_split.docs),
        "heldout_tokens": heldout_split.token_count if heldout_split else 0,
    })

    save_every = args.save_every or tc.eval_every
    # --fit-minutes (plus 5 % for step times that vary) is this command's hard stop too,
    # unless --max-minutes sets another.
    max_minutes = args.max_minutes if args.max_minutes is not None else (args.fit_minutes * 1.05 if args.fit_minutes else None)
    last_save, saved_step = time.monotonic(), (step if resume else None)
    stop_reason = None
    step_times = []  # this command's step times, for --fit-minutes
    model.train()
    while True:
        if step >= total_steps:
            stop_reason = "max-steps"
            break
        if args.stop_at_step is not None and step >= args.stop_at_step:
            stop_reason = "stop-at-step"
            break
        if max_minutes is not None and time.monotonic() - started >= max_minutes * 60:
            stop_reason = "max-minutes"
            break
        if stop_signal:
            stop_reason = f"signal {stop_signal[0]}"
            break

        step_started = time.monotonic()
        lr = learning_rate(step, tc.learning_rate, tc.warmup_steps, total_steps, tc.min_lr_ratio)
        for group in optimizer.param_groups:
            group["lr"] = lr
        inputs, targets, docs, _kinds = batch_tensors(packer.next_batch(tc.batch_size), device)
        try:
            loss = batch_loss(trunk, model, inputs, targets, docs, autocast, args.loss, chunk_rows, compute_dtype)
        except Exception as error:  # noqa: BLE001
            if not compiled:
                raise
            # A torch.compile failure (the first call compiles): carry on eagerly rather than lose the lease.
            log({"event": "compile-failed", "error": f"{type(error).__name__}: {str(error)[:500]}"})
            trunk, compiled = model.trunk, False
            loss = batch_loss(trunk, model, inputs, targets, docs, autocast, args.loss, chunk_rows, compute_dtype)
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
        step_times.append(seconds)

        record = None
        if step % args.log_every == 0 or step == 1:
            record = {
                "step": step, "loss": round(loss.item(), 4), "lr": round(lr, 6), "grad_norm": round(float(grad_norm), 3),
                "tokens_seen": tokens_seen, "tokens_per_s": round(inputs.numel() / seconds, 1), "step_s": round(seconds, 4),
                "elapsed_s": round(train_seconds, 1), "epoch": packer.epoch,
            }
        if fitting and len(step_times) >= args.fit_warmup_steps + args.fit_measure_steps:
            if record is not None:
                log(record)
                record = None
            # Time one evaluation and one checkpoint as well; then decide, and record the decision at once.
            eval_s = 0.0
            if heldout_split is not None:
                eval_started = time.monotonic()
                last_eval = {"step": step, **evaluate(model, heldout_packer, tc.eval_batches, tc.batch_size, device, autocast, chunk_rows, compute_dtype)}
                eval_s = time.monotonic() - eval_started
                log({"step": step, **{k: (round(v, 4) if v is not None else None) for k, v in last_eval.items() if k != "step"}})
            save_started = time.monotonic()
            checkpoint("fit-timing")
            checkpoint_s = time.monotonic() - save_started
            fit = fit_schedule(
                fit_minutes=args.fit_minutes, elapsed_s=time.monotonic() - started, step=step,
                step_times=step_times[args.fit_warmup_steps:], eval_s=eval_s, checkpoint_s=checkpoint_s,
                eval_every=tc.eval_every if heldout_split is not None else math.inf, save_every=save_every,
                save_minutes=args.save_minutes,
            )
            fitting, total_steps = False, fit["max_steps"]
            tc = replace(tc, max_steps=total_steps)
            log(fit)
            checkpoint("fit")
            last_save, saved_step = time.monotonic(), step
            continue
        if heldout_split is not None and (step % tc.eval_every == 0 or step == total_steps):
            last_eval = {"step": step, **evaluate(model, heldout_packer, tc.eval_batches, tc.batch_size, device, autocast, chunk_rows, compute_dtype)}
            record = {**(record or {"step": step}), **{k: (round(v, 4) if v is not None else None) for k, v in last_eval.items() if k != "step"}}
        if record is not None:
            log(record)
        if step % save_every == 0 or time.monotonic() - last_save >= args.save_minutes * 60:
            checkpoint("periodic")
            last_save, saved_step = time.monotonic(), step

    if saved_step != step:
        checkpoint(stop_reason)
    log({"event": "stop", "reason": stop_reason, "step": step, "max_steps": None if fitting else total_steps,
         "tokens_seen": tokens_seen, "train_seconds": round(train_seconds, 1),
         "seconds": round(time.monotonic() - started, 1), "last_eval": last_eval, "finished": step >= total_steps})
    return 0


if __name__ == "__main__":
    sys.exit(main())
