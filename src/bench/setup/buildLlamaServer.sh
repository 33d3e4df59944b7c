#!/usr/bin/env bash
# Builds llama-server from the llama.cpp source that node-llama-cpp ships, so the
# completion-speed race (`npm run bench -- --race-llama-server PATH`) runs
# llama-server from the very same llama.cpp revision Hearth's engine uses.
# Idempotent: a second run reconfigures and rebuilds only what changed (seconds).
# Never downloads anything: the source
# is node-llama-cpp's git bundle, and the web UI download and HTTPS are switched off.
# Prints the binary path on stdout (progress goes to stderr).
#
# Usage: bash src/bench/setup/buildLlamaServer.sh [BUILD_ROOT]
#   BUILD_ROOT defaults to .cache/llama-server in the repository (gitignored).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
root="${1:-$repo_root/.cache/llama-server}"
bundle="$repo_root/node_modules/node-llama-cpp/llama/gitRelease.bundle"
info="$repo_root/node_modules/node-llama-cpp/llama/llama.cpp.info.json"
src="$root/src"
build="$root/build"
binary="$build/bin/llama-server"

fail() { echo "buildLlamaServer: $*" >&2; exit 1; }

for tool in git cmake g++ make; do
	command -v "$tool" >/dev/null 2>&1 || fail "needs '$tool' on PATH (Debian: apt-get install git cmake g++ make)"
done
[[ -f "$bundle" ]] || fail "no llama.cpp source bundle at $bundle (run npm install first)"

mkdir -p "$root"
if [[ ! -d "$src/.git" ]]; then
	# The bundle holds a single squashed commit (HEAD); the tag it was released
	# as is recorded in llama.cpp.info.json and only reported here.
	echo "buildLlamaServer: cloning $(tr -d '\n ' <"$info" 2>/dev/null || echo bundle) into $src" >&2
	git clone --quiet "$bundle" "$src" >&2
fi

# No CURL/OpenSSL: the race serves a local file. No UI: it would be fetched
# from Hugging Face. Native CPU flags, like node-llama-cpp's local builds, but
# no AMX on x86-64: on a Xeon with AMX, GCC 12's AMX kernels died with SIGILL at
# their first tile instruction (GCC's -mno-* flags win over -march=native's).
# There node-llama-cpp's prebuilt binaries do use AMX (their Sapphire Rapids
# variant), which is why the race (and the team-mode test) run this llama-server
# with node-llama-cpp's own ggml libraries on Linux (src/bench/race/sameKernels.ts):
# this build's CPU backend computes only with --race-own-kernels, or elsewhere.
# No OpenMP: node-llama-cpp's prebuilt binaries use ggml's own thread pool, and
# OpenMP's spinning barriers behave very differently on a busy machine, which
# would make the race measure the threading runtime instead of the scheduling.
no_amx=()
if [[ "$(uname -m)" == "x86_64" ]]; then
	no_amx=(-DCMAKE_C_FLAGS="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16" -DCMAKE_CXX_FLAGS="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16")
fi
cmake -S "$src" -B "$build" \
	-DCMAKE_BUILD_TYPE=Release \
	"${no_amx[@]}" \
	-DGGML_NATIVE=ON \
	-DGGML_OPENMP=OFF \
	-DLLAMA_CURL=OFF \
	-DLLAMA_OPENSSL=OFF \
	-DLLAMA_BUILD_TESTS=OFF \
	-DLLAMA_BUILD_EXAMPLES=OFF \
	-DLLAMA_BUILD_TOOLS=ON \
	-DLLAMA_BUILD_SERVER=ON \
	-DLLAMA_BUILD_UI=OFF \
	-DLLAMA_USE_PREBUILT_UI=OFF \
	>&2
jobs="${LLAMA_SERVER_BUILD_JOBS:-$(nproc)}"
# nice: the build is long and should not slow anything else on the machine.
nice -n 19 cmake --build "$build" --target llama-server -j "$jobs" >&2

[[ -x "$binary" ]] || fail "build finished but $binary is missing"
echo "$binary"
