import type { Trace } from './traceTypes.js';

/** JSON with two-space indentation (the repository's style) and one line per event, so diffs stay readable. */
export function formatTrace(trace: Trace): string {
	const { events, ...rest } = trace;
	const head = JSON.stringify(rest, null, 2);
	const lines = events.map((event) => `    ${JSON.stringify(event)}`);
	return `${head.slice(0, -2)},\n  "events": [\n${lines.join(',\n')}\n  ]\n}\n`;
}
