#!/usr/bin/env bash
# Installs code-server (a real VS Code served to a browser) and Debian's chromium for the
# end-to-end tests, offline except for the npm registry and Debian's apt.
# Idempotent: a finished install leaves a marker and later runs only print the binary path.
# Progress goes to stderr; stdout carries exactly one line, the code-server binary path,
# so callers can do BIN=$(bash installCodeServer.sh).
set -euo pipefail

VERSION=4.100.3
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
DIR="${HEARTH_CODE_SERVER_DIR:-$ROOT/.cache/code-server-$VERSION}"
MARKER="$DIR/.install-complete"
BIN="$DIR/node_modules/.bin/code-server"

log() { echo "[installCodeServer] $*" >&2; }

# Two test runs starting at once must not install into the same folder together.
mkdir -p "$(dirname "$DIR")"
exec 9>"$DIR.lock"
flock 9

# --- Debian packages, only those missing -------------------------------------------------
need_pkgs=()
has_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in chromium ripgrep libkrb5-dev; do has_pkg "$p" || need_pkgs+=("$p"); done
# node-gyp rebuilds of the native modules need a compiler, make and python3.
command -v g++ >/dev/null && command -v make >/dev/null || need_pkgs+=(build-essential)
command -v python3 >/dev/null || need_pkgs+=(python3)
if ((${#need_pkgs[@]})); then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  log "apt-get install ${need_pkgs[*]}"
  # .ci/aptGet.sh waits while another apt-get or dpkg holds apt's locks, rather than failing.
  $SUDO bash "$ROOT/.ci/aptGet.sh" update -qq >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive bash "$ROOT/.ci/aptGet.sh" install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2
fi

if [ -f "$MARKER" ] && [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

# --- code-server itself ------------------------------------------------------------------
# Anything here without the marker is a half-finished attempt: start over.
log "installing code-server $VERSION into $DIR"
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"
echo '{ "name": "hearth-e2e-code-server", "private": true }' > package.json

# Its postinstall fails here (refuses root, needs kerberos headers, downloads ripgrep from
# GitHub), so skip every install script and do its steps by hand below.
npm install --no-audit --no-fund --ignore-scripts "code-server@$VERSION" >&2

VSCODE="$DIR/node_modules/code-server/lib/vscode"
cd "$VSCODE"
log "installing VS Code server dependencies"
npm install --no-audit --no-fund --omit=dev --ignore-scripts >&2
# @vscode/ripgrep's postinstall would download rg; Debian's binary does the same job.
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
# The server loads some modules through node_modules.asar, as in the desktop build.
ln -sfn node_modules node_modules.asar
# What code-server's postinstall would also link: the `code-server` CLI inside the
# integrated terminal and the browser helper.
ln -sfn code-linux.sh bin/remote-cli/code-server
ln -sfn browser-linux.sh bin/helpers/browser.sh
log "rebuilding native modules of VS Code"
# node-pty's postinstall runs `npx node-gyp ...`; this machine's npmrc says yes=false,
# which makes npx refuse ("npx canceled due to missing packages and no YES option").
npm_config_yes=true npm rebuild kerberos @vscode/spdlog native-watchdog node-pty >&2

cd "$VSCODE/extensions"
log "installing built-in extensions' dependencies"
npm install --no-audit --no-fund --omit=dev --ignore-scripts >&2

cd "$DIR"
log "rebuilding argon2"
npm rebuild argon2 >&2

# npm rebuild can skip a package without failing; insist on every native module.
for f in \
  "$VSCODE/node_modules/node-pty/build/Release/pty.node" \
  "$VSCODE/node_modules/@vscode/spdlog/build/Release/spdlog.node" \
  "$VSCODE/node_modules/native-watchdog/build/Release/watchdog.node" \
  "$VSCODE/node_modules/kerberos/build/Release/kerberos.node" \
  "$DIR/node_modules/argon2/lib/binding/napi-v3/argon2.node"; do
  [ -f "$f" ] || { log "missing native module after rebuild: $f"; exit 1; }
done

# Prove the binary runs before declaring success; keep it from writing ~/.config.
XDG_CONFIG_HOME="$DIR/.config" "$BIN" --version >&2
touch "$MARKER"
log "done"
echo "$BIN"
