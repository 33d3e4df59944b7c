#!/usr/bin/env bash
# Builds node-llama-cpp's native addon from the llama.cpp source it ships, with Hearth's one patch
# (decodeAbort.diff): llama.cpp's abort callback, so that a decode in flight stops between graph
# nodes when the editor cancels, instead of at the end of its batch (a one-token decode of a 1.5B
# model takes ~50 ms on two cores, so no batch size can bring a cancellation under that without it).
# Opt-in: Hearth loads this build only with HEARTH_LLAMA_ADDON=local; otherwise it loads
# node-llama-cpp's prebuilt binaries and cancels between batches (src/engine/runtime/decodeAbort.ts).
#
# The build's CMake options come from src/shared/llamaAddon.ts (compiled: run `npm run build` first),
# which every getLlama call in the project names under HEARTH_LLAMA_ADDON=local, so that
# node-llama-cpp finds this build.
#
# Idempotent: when the build made from this patch and these options is there, it exits at once. Never downloads
# anything: the source is node-llama-cpp's git bundle, CMake comes from the system, and the Node-API
# headers from the node-api-headers package.
#
# Usage: bash src/build/llamaAddon/buildLlamaAddon.sh
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
package="$repo_root/node_modules/node-llama-cpp"
patch_file="$repo_root/src/build/llamaAddon/decodeAbort.diff"
# The version the patch was written against; another one needs the patch looked at again.
expected_version="3.22.1"
stamp="$package/llama/localBuilds/hearth-decode-abort.stamp"

fail() { echo "buildLlamaAddon: $*" >&2; exit 1; }

for tool in git cmake g++ make; do
	command -v "$tool" >/dev/null 2>&1 || fail "needs '$tool' on PATH (Debian: apt-get install git cmake g++ make)"
done
[[ -d "$package" ]] || fail "node-llama-cpp is not installed (run npm ci first)"
version="$(node -p "require('$package/package.json').version")"
[[ "$version" == "$expected_version" ]] || fail "decodeAbort.diff was written for node-llama-cpp $expected_version, not $version"

options_module="$repo_root/out/src/shared/llamaAddon.js"
[[ -f "$options_module" ]] || fail "$options_module is missing (run npm run build first)"
# NAME=VALUE lines for node-llama-cpp's NODE_LLAMA_CPP_CMAKE_OPTION_NAME variables.
options="$(node --input-type=module -e "
	const { llamaAddonCmakeOptions } = await import('$options_module');
	for (const [name, value] of Object.entries(llamaAddonCmakeOptions())) console.log(name + '=' + value);
")"
wanted="$(sha256sum "$patch_file" | cut -d' ' -f1) $(node --version) $(echo "$options" | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
	echo "buildLlamaAddon: the patched addon is built ($stamp)" >&2
	exit 0
fi

if grep -q HEARTH_DECODE_ABORT "$package/llama/addon/AddonContext.cpp"; then
	echo "buildLlamaAddon: the addon source is patched already" >&2
else
	# Inside this repository git apply takes paths from its top; node_modules is ignored, not excluded.
	(cd "$repo_root" && git apply --directory=node_modules/node-llama-cpp "$patch_file") || fail "decodeAbort.diff does not apply"
fi

while IFS= read -r line; do
	[[ -n "$line" ]] && export "NODE_LLAMA_CPP_CMAKE_OPTION_${line%%=*}=${line#*=}"
done <<<"$options"

# Builds made with other options or an older patch would only take disk space.
rm -rf "$package/llama/localBuilds"
# `source download` clones the bundled llama.cpp release (no network) and builds the addon for this
# machine: CPU only, for this CPU, without AMX (src/shared/llamaAddon.ts says why).
echo "buildLlamaAddon: building node-llama-cpp's addon with the decode abort (several minutes on two cores)" >&2
(cd "$repo_root" && npx --no node-llama-cpp source download --gpu false --noUsageExample) >&2
mkdir -p "$(dirname "$stamp")"
echo "$wanted" >"$stamp"
echo "buildLlamaAddon: done" >&2
