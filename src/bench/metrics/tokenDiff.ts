/** Length of the run of equal tokens both arrays start with. */
export function commonPrefixLength(a: ArrayLike<number>, b: ArrayLike<number>): number {
	const limit = Math.min(a.length, b.length);
	let index = 0;
	while (index < limit && a[index] === b[index]) {
		index++;
	}
	return index;
}

/**
 * How many tokens of `next` are new compared with `previous`: the insertions of the shortest
 * insert/delete edit script between them (Myers' O((N+M)D) algorithm). A keystroke in a
 * prefix-suffix-middle prompt changes a token or two near the cursor and shifts everything after
 * it; those shifted tokens are not new, and an engine that could move their KV entries (llama.cpp's
 * K-shift) would not evaluate them again. That makes this the lower bound of the prompt work.
 */
export function newTokenCount(previous: ArrayLike<number>, next: ArrayLike<number>): number {
	const head = commonPrefixLength(previous, next);
	let tail = 0;
	while (
		tail < previous.length - head &&
		tail < next.length - head &&
		previous[previous.length - 1 - tail] === next[next.length - 1 - tail]
	) {
		tail++;
	}
	const n = previous.length - head - tail;
	const m = next.length - head - tail;
	if (n === 0 || m === 0) {
		return m;
	}
	const edits = shortestEditDistance(previous, head, n, next, head, m);
	// insertions + deletions = edits, insertions - deletions = m - n
	return (edits + m - n) / 2;
}

/** Myers' greedy forward search for D, the fewest insertions plus deletions turning a into b. */
function shortestEditDistance(a: ArrayLike<number>, aStart: number, n: number, b: ArrayLike<number>, bStart: number, m: number): number {
	const max = n + m;
	const furthest = new Int32Array(2 * max + 2);
	for (let d = 0; d <= max; d++) {
		for (let k = -d; k <= d; k += 2) {
			const down = k === -d || (k !== d && furthest[max + k - 1]! < furthest[max + k + 1]!);
			let x = down ? furthest[max + k + 1]! : furthest[max + k - 1]! + 1;
			let y = x - k;
			while (x < n && y < m && a[aStart + x] === b[bStart + y]) {
				x++;
				y++;
			}
			furthest[max + k] = x;
			if (x >= n && y >= m) {
				return d;
			}
		}
	}
	return max;
}
