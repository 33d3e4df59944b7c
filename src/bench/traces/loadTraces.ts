import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../tooling/projectRoot.js';
import type { Trace, TraceEvent } from './traceTypes.js';

export function traceDirectory(): string {
	return path.join(projectRoot(), 'test', 'fixtures', 'traces');
}

/** Every trace JSON in the fixture folder, in name order. */
export function loadTraces(directory = traceDirectory()): Trace[] {
	return fs
		.readdirSync(directory)
		.filter((name) => name.endsWith('.json'))
		.sort()
		.map((name) => parseTrace(fs.readFileSync(path.join(directory, name), 'utf8'), name));
}

/** Checks the shape a hand-edited trace could get wrong, so that a replay never half-runs one. */
export function parseTrace(json: string, source: string): Trace {
	const trace = JSON.parse(json) as Trace;
	const fail = (why: string): never => {
		throw new Error(`${source}: ${why}`);
	};
	if (typeof trace.name !== 'string' || typeof trace.initialText !== 'string' || !Array.isArray(trace.events)) {
		fail('needs name, initialText and events');
	}
	let previous = 0;
	trace.events.forEach((event: TraceEvent, index) => {
		if (typeof event.t !== 'number' || event.t < previous) {
			fail(`event ${index}: t must be a number, not below the previous event's`);
		}
		previous = event.t;
		if ((event.kind === 'type' || event.kind === 'paste') && (typeof event.text !== 'string' || event.text === '')) {
			fail(`event ${index}: ${event.kind} needs text`);
		}
		if (event.kind === 'move' && !(Number.isInteger(event.line) && Number.isInteger(event.character))) {
			fail(`event ${index}: move needs line and character`);
		}
		if (!['type', 'paste', 'backspace', 'move', 'accept', 'type-shown'].includes(event.kind)) {
			fail(`event ${index}: unknown kind ${String((event as { kind: unknown }).kind)}`);
		}
	});
	return trace;
}
