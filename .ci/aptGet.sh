#!/usr/bin/env bash
# apt-get that waits its turn instead of failing at once when another apt-get or dpkg (unattended
# upgrades on a fresh machine, a second job on the same machine) holds one of apt's locks.
# apt itself waits for dpkg's lock (DPkg::Lock::Timeout); it does not wait for the package lists'
# lock (`apt-get update`) or the download cache's, so a call that failed on a lock is run again,
# every 5 s, until HEARTH_APT_LOCK_WAIT_S seconds (default 900) have passed.
# Usage: bash .ci/aptGet.sh ARGS...   (apt-get's own arguments; its exit status)
set -uo pipefail

wait_s="${HEARTH_APT_LOCK_WAIT_S:-900}"
deadline=$((SECONDS + wait_s))
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT

while :; do
	apt-get -o DPkg::Lock::Timeout="$wait_s" "$@" 2>"$errors"
	status=$?
	cat "$errors" >&2
	((status == 0)) && exit 0
	if ! grep -qE 'Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock' "$errors" || ((SECONDS >= deadline)); then
		exit "$status"
	fi
	echo "[aptGet] another apt-get or dpkg holds apt's lock; trying again in 5 s (until ${wait_s} s have passed)" >&2
	sleep 5
done
