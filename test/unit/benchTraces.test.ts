import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { applyEvent, offsetAt, positionAt, splitAtCursor, type EditorState } from '../../src/bench/traces/editorDocument.js';
import { formatTrace } from '../../src/bench/traces/formatTrace.js';
import { loadTraces, parseTrace } from '../../src/bench/traces/loadTraces.js';
import { buildTraces, linesHole, spanHole } from '../../src/bench/traces/scenarios.js';
import { seededRandom } from '../../src/tooling/seededRandom.js';
import { TraceBuilder } from '../../src/bench/traces/traceBuilder.js';
import type { Trace } from '../../src/bench/traces/traceTypes.js';
import { repoRoot } from '../helpers/paths.js';

const traceDirectory = path.join(repoRoot, 'test', 'fixtures', 'traces');

function play(trace: Trace, suggestion?: string): EditorState {
	let state: EditorState = { text: trace.initialText, cursor: offsetAt(trace.initialText, trace.initialCursor) };
	for (const event of trace.events) {
		state = applyEvent(state, event, suggestion).state;
	}
	return state;
}

describe('bench: applying trace events to the simulated document', function () {
	const start: EditorState = { text: 'ab\ncd\n', cursor: 2 };

	it('types at the cursor and moves it past the text', function () {
		const applied = applyEvent(start, { t: 0, kind: 'type', text: 'X' });
		assert.deepEqual(applied.state, { text: 'abX\ncd\n', cursor: 3 });
		assert.equal(applied.textChanged, true);
		assert.deepEqual(splitAtCursor(applied.state), { prefix: 'abX', suffix: '\ncd\n' });
	});

	it('inserts Enter with its indentation as one key press', function () {
		const applied = applyEvent(start, { t: 0, kind: 'type', text: '\n    ' });
		assert.deepEqual(applied.state, { text: 'ab\n    \ncd\n', cursor: 7 });
	});

	it('backspaces the character before the cursor, and nothing at the start of the file', function () {
		assert.deepEqual(applyEvent(start, { t: 0, kind: 'backspace' }).state, { text: 'a\ncd\n', cursor: 1 });
		const atStart = applyEvent({ text: 'ab', cursor: 0 }, { t: 0, kind: 'backspace' });
		assert.equal(atStart.textChanged, false);
		assert.deepEqual(atStart.state, { text: 'ab', cursor: 0 });
	});

	it('moves the cursor without changing the text, clamped to the line and the document', function () {
		const moved = applyEvent(start, { t: 0, kind: 'move', line: 1, character: 1 });
		assert.deepEqual(moved.state, { text: 'ab\ncd\n', cursor: 4 });
		assert.deepEqual({ textChanged: moved.textChanged, cursorMoved: moved.cursorMoved }, { textChanged: false, cursorMoved: true });
		assert.equal(applyEvent(start, { t: 0, kind: 'move', line: 0, character: 99 }).state.cursor, 2);
		assert.equal(applyEvent(start, { t: 0, kind: 'move', line: 9, character: 0 }).state.cursor, 6);
		assert.equal(applyEvent(start, { t: 0, kind: 'move', line: 0, character: 2 }).cursorMoved, false);
	});

	it('accepts the suggestion on screen, and changes nothing when there is none', function () {
		assert.deepEqual(applyEvent(start, { t: 0, kind: 'accept' }, 'Z()').state, { text: 'abZ()\ncd\n', cursor: 5 });
		const missed = applyEvent(start, { t: 0, kind: 'accept' });
		assert.equal(missed.textChanged, false);
		assert.equal(missed.state, start);
	});

	it('pastes a block at the cursor', function () {
		assert.deepEqual(applyEvent(start, { t: 0, kind: 'paste', text: '1\n2' }).state, { text: 'ab1\n2\ncd\n', cursor: 5 });
	});

	it('converts between positions and offsets both ways', function () {
		const text = 'one\ntwo\n\nfour';
		for (let offset = 0; offset <= text.length; offset++) {
			assert.equal(offsetAt(text, positionAt(text, offset)), offset);
		}
		assert.deepEqual(positionAt(text, 9), { line: 3, character: 0 });
	});
});

describe('bench: the trace builder', function () {
	const original = 'function f() {\n\tconst a = 1;\n\treturn a;\n}\n';

	it('cuts holes out and types them back into the original file, jumping between them', function () {
		const holes = [spanHole(original, 2, '1;'), linesHole(original, 3, 3)];
		const builder = new TraceBuilder(original, holes, 1, seededRandom(7));
		assert.equal(builder.initialText, 'function f() {\n\tconst a = \n\t\n}\n');
		builder.retype(1, { typoRate: 0.5 }).moveTo(0).retype(0);
		assert.equal(builder.text, original);
		const events = builder.build();
		assert.ok(events.some((event) => event.kind === 'move'));
		assert.ok(
			events.every((event, index) => index === 0 || event.t >= events[index - 1]!.t),
			'timestamps never go back',
		);
	});

	it("types Enter with the next line's indentation as one key", function () {
		const builder = new TraceBuilder(original, [linesHole(original, 2, 3)], 0, seededRandom(1));
		builder.retype(0);
		const enters = builder.build().filter((event) => event.kind === 'type' && event.text.startsWith('\n'));
		assert.deepEqual(enters, [{ t: enters[0]!.t, kind: 'type', text: '\n\t' }]);
		assert.equal(builder.text, original);
	});

	it('refuses to type into a hole the cursor is not at', function () {
		const holes = [spanHole(original, 2, '1;'), linesHole(original, 3, 3)];
		const builder = new TraceBuilder(original, holes, 1, seededRandom(7));
		assert.throws(() => builder.retype(0), /move there first/);
	});

	it('is deterministic for a seed', function () {
		const make = () => new TraceBuilder(original, [linesHole(original, 2, 3)], 0, seededRandom(3)).retype(0, { typoRate: 0.3 }).build();
		assert.deepEqual(make(), make());
	});
});

describe('bench: the recorded traces in test/fixtures/traces', function () {
	const read = (file: string) => fs.readFileSync(path.join(traceDirectory, file), 'utf8');
	const traces = loadTraces(traceDirectory);

	it("are the generator's current output (regenerate with node out/src/bench/traces/generateTraces.js)", function () {
		const generated = buildTraces(read);
		assert.deepEqual(
			traces.map((trace) => trace.name),
			generated.map((trace) => trace.name).sort(),
		);
		for (const trace of generated) {
			assert.equal(read(`${trace.name}.json`), formatTrace(trace), `${trace.name}.json is out of date`);
		}
	});

	it('cover steady typing, backspacing, cursor jumps, accepts, pastes and Python', function () {
		const kinds = new Set(traces.flatMap((trace) => trace.events.map((event) => event.kind)));
		assert.deepEqual([...kinds].sort(), ['accept', 'backspace', 'move', 'paste', 'type', 'type-shown']);
		assert.ok(traces.some((trace) => trace.language === 'python'));
		assert.ok(traces.length >= 5);
	});

	it('type with human delays: 80-200 ms between most keys', function () {
		for (const trace of traces) {
			const gaps = trace.events.slice(1).map((event, index) => event.t - trace.events[index]!.t);
			const typical = gaps.filter((gap) => gap >= 45 && gap <= 200).length / gaps.length;
			assert.ok(typical > 0.6, `${trace.name}: only ${Math.round(typical * 100)}% of gaps look like typing`);
			// The race's paused traces take minutes: their thinking pauses are the point.
			const limit = trace.name === 'ts-paused-typing' ? 240_000 : trace.name === 'ts-thinking-typing' ? 720_000 : 40_000;
			assert.ok(trace.events.at(-1)!.t < limit, `${trace.name} lasts under ${limit / 1000} s`);
		}
	});

	it('give back the original file when replayed (all but the accept trace, whose text depends on the model)', function () {
		for (const trace of traces) {
			const original = read(trace.source.file);
			if (trace.events.some((event) => event.kind === 'type-shown')) {
				// It types the model's suggestions: without one on screen, those keys type nothing.
				assert.notEqual(play(trace).text, original);
				continue;
			}
			if (trace.events.some((event) => event.kind === 'accept')) {
				// Without a suggestion on screen, the accepts insert nothing.
				assert.notEqual(play(trace).text, original);
				continue;
			}
			assert.equal(play(trace).text, original, trace.name);
		}
	});

	it('rejects a malformed trace with the reason', function () {
		assert.throws(
			() =>
				parseTrace(
					'{"name":"x","initialText":"","events":[{"t":5,"kind":"type","text":"a"},{"t":1,"kind":"backspace"}]}',
					'x.json',
				),
			/x\.json: event 1/,
		);
		assert.throws(() => parseTrace('{"name":"x","initialText":"","events":[{"t":0,"kind":"jump"}]}', 'x.json'), /unknown kind jump/);
	});
});
