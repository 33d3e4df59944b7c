#!/usr/bin/env node
import fs from 'node:fs';
import path from 'node:path';
import { traceDirectory } from './loadTraces.js';
import { buildTraces } from './scenarios.js';
import { formatTrace } from './formatTrace.js';

/**
 * Writes test/fixtures/traces/<name>.json from the scenarios. The output is deterministic, so
 * regenerating after a change to the scenarios shows exactly what changed in the diff.
 */
const directory = traceDirectory();
for (const trace of buildTraces((file) => fs.readFileSync(path.join(directory, file), 'utf8'))) {
	const target = path.join(directory, `${trace.name}.json`);
	fs.writeFileSync(target, formatTrace(trace));
	const last = trace.events.at(-1)?.t ?? 0;
	console.log(`${path.relative(process.cwd(), target)}: ${trace.events.length} events over ${(last / 1000).toFixed(1)} s`);
}
