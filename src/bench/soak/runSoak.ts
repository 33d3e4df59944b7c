import fs from 'node:fs';
import os from 'node:os';
import { CancellationTokenSource } from 'vscode-languageserver-protocol/node';
import type { HearthSettings } from '../../shared/settings.js';
import { settledWithin, SimulatedEditor } from '../replay/simulatedEditor.js';
import { positionAt } from '../traces/editorDocument.js';
import type { Trace } from '../traces/traceTypes.js';
import { parseRssMiB, summarizeRss, type RssSample, type RssSummary } from './rssCurve.js';
import { BundledServer, insertTextOf, itemsOf } from './bundledServer.js';
import { messageOf } from '../../shared/errorMessage.js';

/**
 * The soak (`npm run bench -- --soak`): the real language server with the bundled model, fed the
 * typing traces in real time, one after another in a loop, for `minutes`; its resident set sampled
 * from /proc every `sampleEverySeconds`. Each pass opens the trace's file under a new URI and closes
 * it at the end, as an editor opens and closes files, so per-document state must be freed too.
 */
export interface SoakOptions {
	minutes: number;
	sampleEverySeconds: number;
	modelPath: string;
	settings: HearthSettings;
	traces: Trace[];
	progress: (message: string) => void;
}

export interface SoakReport {
	modelPath: string;
	minutes: number;
	sampleEverySeconds: number;
	passes: number;
	keystrokes: number;
	/** Answered: settled before the editor cancelled it; cancelled: the next key came first; failed: an error answer (the last one kept). */
	requests: { sent: number; answered: number; withSuggestion: number; cancelled: number; failed: number; lastError?: string };
	rss: RssSummary;
	/** The whole curve: seconds since the model was ready, resident set in MiB. */
	curve: RssSample[];
	serverExitedEarly: boolean;
	/** One-minute load average at the start and the end: on a busy machine most requests are cancelled by the next key. */
	loadAverage: { atStart: number; atEnd: number };
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
	if (options.traces.length === 0) {
		throw new Error('the soak needs at least one trace');
	}
	const { client: server } = await BundledServer.start({ settings: options.settings, defaultModelPath: options.modelPath });
	const curve: RssSample[] = [];
	const requests: SoakReport['requests'] = { sent: 0, answered: 0, withSuggestion: 0, cancelled: 0, failed: 0 };
	let passes = 0;
	let keystrokes = 0;
	let sampler: ReturnType<typeof setInterval> | undefined;
	try {
		const status = await server.ready(300_000);
		options.progress(
			`soak: ${status.model?.displayName ?? options.modelPath} ready in pid ${server.pid}; typing for ${options.minutes} min`,
		);
		const loadAtStart = os.loadavg()[0]!;
		const startedAt = performance.now();
		const endAt = startedAt + options.minutes * 60_000;
		const sample = () => {
			const rssMiB = readRssMiB(server.pid);
			if (rssMiB !== null) {
				curve.push({ tS: Math.round((performance.now() - startedAt) / 100) / 10, rssMiB });
			}
		};
		sample();
		sampler = setInterval(sample, options.sampleEverySeconds * 1000);
		let lastReport = startedAt;
		while (performance.now() < endAt && !server.exited) {
			const trace = options.traces[passes % options.traces.length]!;
			keystrokes += await replayOnce(server, trace, `file:///soak/pass-${passes}/${trace.filePath}`, endAt, requests);
			passes++;
			if (performance.now() - lastReport > 60_000) {
				lastReport = performance.now();
				const last = curve.at(-1);
				options.progress(
					`soak: ${Math.round((lastReport - startedAt) / 60_000)} min, ${passes} passes, ${requests.sent} requests, rss ${last?.rssMiB ?? '?'} MiB`,
				);
			}
		}
		clearInterval(sampler);
		sampler = undefined;
		if (!server.exited) {
			sample();
		}
		return {
			modelPath: options.modelPath,
			minutes: options.minutes,
			sampleEverySeconds: options.sampleEverySeconds,
			passes,
			keystrokes,
			requests,
			rss: summarizeRss(curve),
			curve,
			serverExitedEarly: server.exited,
			loadAverage: { atStart: round2(loadAtStart), atEnd: round2(os.loadavg()[0]!) },
		};
	} finally {
		clearInterval(sampler);
		await server.stop();
	}
}

/** One trace in real time against the server, like VS Code's inline-completion loop; returns the keys replayed. */
async function replayOnce(
	server: BundledServer,
	trace: Trace,
	uri: string,
	endAt: number,
	counts: SoakReport['requests'],
): Promise<number> {
	const startedAt = performance.now();
	const editor = new SimulatedEditor(trace.initialText, trace.initialCursor, () => performance.now() - startedAt, 30_000);
	await server.openDocument(uri, trace.language, trace.initialText);
	let live: { cancellation: CancellationTokenSource; settled: Promise<void> } | undefined;
	const dropLive = () => {
		live?.cancellation.cancel();
		live = undefined;
		editor.shown = undefined;
	};
	let replayed = 0;
	for (const event of trace.events) {
		if (performance.now() >= endAt || server.exited) {
			break;
		}
		replayed++;
		const { textChanged } = await editor.apply(event, live?.settled, dropLive);
		if (!textChanged) {
			continue;
		}
		await server.replaceDocument(uri, editor.state.text);
		const cancellation = new CancellationTokenSource();
		counts.sent++;
		const request = { cancellation, settled: Promise.resolve() };
		request.settled = server.inlineCompletion(uri, positionAt(editor.state.text, editor.state.cursor), cancellation).then(
			(response) => {
				const first = itemsOf(response)[0];
				const text = first ? insertTextOf(first) : undefined;
				if (cancellation.token.isCancellationRequested) {
					counts.cancelled++;
					return;
				}
				counts.answered++;
				if (text) {
					counts.withSuggestion++;
				}
				if (live === request && text) {
					editor.shown = text;
				}
			},
			(error: unknown) => {
				// The editor's own cancel answers with RequestCancelled; anything else is a failure.
				if (cancellation.token.isCancellationRequested) {
					counts.cancelled++;
				} else {
					counts.failed++;
					counts.lastError = messageOf(error);
				}
			},
		);
		live = request;
	}
	if (live) {
		await settledWithin(live.settled, 30_000);
		dropLive();
	}
	await server.closeDocument(uri);
	return replayed;
}

function readRssMiB(pid: number): number | null {
	try {
		return parseRssMiB(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
	} catch {
		return null;
	}
}

function round2(value: number): number {
	return Math.round(value * 100) / 100;
}
