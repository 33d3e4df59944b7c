#!/usr/bin/env bash
# One command for a short GPU lease: trains the starter model on a schedule fitted to the time at
# hand (train.py --fit-minutes), then exports the checkpoint as Q8_0 tensors cut into parts small
# enough to come back (export_tensors.py), and checks what it leaves against the transfer limits.
#
#   bash models/recipe/gpu-lease.sh --out "$OUT"             # first command: train + export, < 10 minutes
#   bash models/recipe/gpu-lease.sh --out "$OUT" --resume    # on the same warm machine: continue the
#                                                            # schedule from its checkpoint, export again
# Then, on the lead's machine, with the files brought back in DIR:
#   npm run export-model -- --tensors DIR --quant Q8_0 --name "Hearth Starter gpu-base"
# which checks every part's size and sha256 (tensors.json) and writes models/starter/*.Q8_0.gguf.
#
# What it leaves in --out (at most 8 files, each at most 16 MiB; the script fails if not):
#   tensors.json, tensors.bin.000 … (Q8_0 weights in parts of --part-mib MiB, 4 parts for gpu-base),
#   train.log.jsonl (this command's training log), lease.json (summary: the fit, the stop, the files).
# The checkpoint (model + optimizer, ~580 MB for gpu-base) stays in --run-dir on the machine.
#
# Options:
#   --out DIR          where the files to bring back go (required; $OUT on the device machine)
#   --minutes M        this command's whole budget (default 9): training gets M minus --reserve-minutes
#   --reserve-minutes R  kept for start-up and export (default 0.75)
#   --resume           continue the run in --run-dir (same fitted schedule)
#   --preset P         default gpu-base
#   --data DIR         token shards (default models/recipe/data)
#   --run-dir DIR      checkpoint folder (default models/recipe/runs/<preset>)
#   --device D         cuda (default) or cpu (the dry run the recipe test does with test-tiny)
#   --no-compile       no torch.compile (default: compile on cuda; train.py falls back to eager if it fails)
#   --part-mib N       part size (default 15)
#   --python PY        interpreter with torch and numpy (default $HEARTH_PYTHON or python3)
#   -- ARGS            passed on to train.py (e.g. -- --fit-measure-steps 20 --log-every 10)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="" minutes=9 reserve=0.75 resume=0 preset=gpu-base data="$here/data" run_dir="" device=cuda compile=1 part_mib=15
python=${HEARTH_PYTHON:-python3}
extra=()
while [ $# -gt 0 ]; do
	case "$1" in
		--out) out=$2; shift 2 ;;
		--minutes) minutes=$2; shift 2 ;;
		--reserve-minutes) reserve=$2; shift 2 ;;
		--resume) resume=1; shift ;;
		--preset) preset=$2; shift 2 ;;
		--data) data=$2; shift 2 ;;
		--run-dir) run_dir=$2; shift 2 ;;
		--device) device=$2; shift 2 ;;
		--no-compile) compile=0; shift ;;
		--part-mib) part_mib=$2; shift 2 ;;
		--python) python=$2; shift 2 ;;
		--) shift; extra=("$@"); break ;;
		-h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) echo "gpu-lease: unknown option $1 (--help lists them)" >&2; exit 2 ;;
	esac
done
[ -n "$out" ] || { echo "gpu-lease: --out DIR is required" >&2; exit 2; }
run_dir=${run_dir:-$here/runs/$preset}
mkdir -p "$out" "$run_dir"
fit_minutes=$("$python" -c "import sys; m = float(sys.argv[1]) - float(sys.argv[2]); print(round(m, 4) if m > 0 else sys.exit('--minutes must exceed --reserve-minutes'))" "$minutes" "$reserve") || exit 2

args=(--preset "$preset" --data "$data" --run-dir "$run_dir" --device "$device" --fit-minutes "$fit_minutes")
[ "$resume" = 1 ] && args+=(--resume)
[ "$compile" = 1 ] && [ "$device" = cuda ] && args+=(--compile)
[ "$device" = cuda ] && args+=(--threads 8)
echo "gpu-lease: train.py ${args[*]} ${extra[*]}" >&2
# Only this command's log lines come back (the run dir's log.jsonl holds every command's).
"$python" "$here/train.py" "${args[@]}" "${extra[@]}" | tee "$out/train.log.jsonl"
train_status=${PIPESTATUS[0]}
if [ ! -f "$run_dir/checkpoint.pt" ]; then
	echo "gpu-lease: training left no checkpoint (exit $train_status); nothing to export" >&2
	exit 1
fi

rm -f "$out"/tensors.bin.* "$out/tensors.json"
"$python" "$here/export_tensors.py" "$run_dir/checkpoint.pt" "$out" --dtype q8_0 --part-mib "$part_mib" >&2 || exit 1

# The summary, and the transfer limits checked: at most 8 files, each at most 16 MiB.
"$python" - "$out" "$train_status" <<'PY'
import json, os, sys
out, train_status = sys.argv[1], int(sys.argv[2])
log = [json.loads(line) for line in open(os.path.join(out, "train.log.jsonl"), encoding="utf-8") if line.startswith("{")]
index = json.load(open(os.path.join(out, "tensors.json"), encoding="utf-8"))
pick = lambda kind: next((r for r in reversed(log) if r.get("event") == kind), None)
summary = {
    "format": "hearth-gpu-lease/1",
    "train_exit": train_status,
    "start": pick("start"), "fit": pick("fit"), "stop": pick("stop"),
    "training": index["training"],
    "parts": [{"name": n, "bytes": b, "sha256": h} for n, b, h in zip(index["parts"], index["part_bytes"], index["part_sha256"])],
}
with open(os.path.join(out, "lease.json"), "w", encoding="utf-8") as handle:
    json.dump(summary, handle, indent=1)
files = sorted(os.listdir(out))
sizes = {name: os.path.getsize(os.path.join(out, name)) for name in files}
problems = [f"{len(files)} files (at most 8)"] if len(files) > 8 else []
problems += [f"{name}: {size} bytes (at most 16 MiB)" for name, size in sizes.items() if size > 16 * 1024 * 1024]
print(json.dumps({"gpu_lease": "ok" if not problems else "over the limits", "out": out, "files": sizes,
                  "stop": summary["stop"], "problems": problems}))
sys.exit(1 if problems else 0)
PY
check_status=$?
[ "$check_status" = 0 ] || exit "$check_status"
exit "$train_status"
