#!/usr/bin/env bash
# Builds Hearth's decode abort module (src/engine/native/decodeAbort.cpp) into
# dist/native/decodeAbort-<platform>-<arch>.node, where the server bundle and the engine find it.
# It lets a cancellation stop llama.cpp inside a decode with node-llama-cpp's own prebuilt binaries;
# without it (another system, no C++ compiler) cancellations land between decodes and nothing else
# changes, so a missing compiler skips the build with a message instead of failing it.
#
# It compiles against node-llama-cpp's own addon headers (shipped in its package), its Node-API
# headers (node-addon-api, node-api-headers) and the headers of the llama.cpp release it bundles,
# copied out of node-llama-cpp's git bundle: nothing is downloaded. Idempotent: a stamp beside the
# module holds what it was built from.
#
# Usage: bash src/build/decodeAbort/buildDecodeAbort.sh
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
package="$repo_root/node_modules/node-llama-cpp"
source_file="$repo_root/src/engine/native/decodeAbort.cpp"
say() { echo "buildDecodeAbort: $*" >&2; }

if [[ "$(uname -s)" != "Linux" ]]; then
	say "skipped: built on Linux only for now (elsewhere cancellations land between decodes)"
	exit 0
fi
for tool in git g++; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		say "skipped: no '$tool' on PATH (Debian: apt-get install git g++); cancellations will land between decodes"
		exit 0
	fi
done
[[ -d "$package" ]] || { say "node-llama-cpp is not installed (run npm ci first)"; exit 1; }

version="$(node -p "require('$package/package.json').version")"
target="$repo_root/dist/native/decodeAbort-$(node -p "process.platform + '-' + process.arch").node"
node_addon_api="$(cd "$package" && node -p "require('node-addon-api').include.slice(1, -1)")"
node_api_headers="$(cd "$package" && node -p "require('node-api-headers').include_dir")"
wanted="$(cat "$source_file" "$package/llama/addon/AddonContext.h" "$package/llama/addon/AddonModel.h" | sha256sum | cut -d' ' -f1) node-llama-cpp $version $(g++ -dumpfullversion)"
if [[ -f "$target" && -f "$target.stamp" && "$(cat "$target.stamp")" == "$wanted" ]]; then
	say "up to date ($target)"
	exit 0
fi

# The headers of the llama.cpp release node-llama-cpp bundles (its prebuilt binaries were built from it).
headers="$repo_root/.cache/llama-headers/$version"
if [[ ! -f "$headers/include/llama.h" ]]; then
	bundle="$package/llama/gitRelease.bundle"
	[[ -f "$bundle" ]] || { say "node-llama-cpp's llama.cpp bundle is missing ($bundle)"; exit 1; }
	work="$(mktemp -d)"
	trap 'rm -rf "$work"' EXIT
	git init --quiet --bare "$work/repo"
	git -C "$work/repo" fetch --quiet "$bundle" HEAD
	mkdir -p "$work/headers"
	git -C "$work/repo" archive FETCH_HEAD include ggml/include | tar -x -C "$work/headers"
	mkdir -p "$(dirname "$headers")"
	rm -rf "$headers"
	mv "$work/headers" "$headers"
fi

mkdir -p "$(dirname "$target")"
# node-llama-cpp builds its addon with NAPI_VERSION=7 and C++ exceptions (llama/CMakeLists.txt):
# the same here, so that its classes have the same layout.
g++ -std=c++17 -O2 -fPIC -shared -fexceptions -fvisibility=hidden -DNAPI_VERSION=7 \
	-I"$package/llama/addon" -I"$headers/include" -I"$headers/ggml/include" -I"$node_addon_api" -I"$node_api_headers" \
	"$source_file" -o "$target.partial" -ldl
mv "$target.partial" "$target"
echo "$wanted" >"$target.stamp"
say "built $target"
