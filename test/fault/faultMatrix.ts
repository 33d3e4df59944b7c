import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { messageOf } from '../../src/shared/errorMessage.js';

/**
 * The fault matrix's bookkeeping. Each case injects one fault into a real component and then
 * records three verdicts through `FaultChecks`: the component survived (answers the next request, or
 * was restarted by the restart policy), no data was lost (documents, pending edits, the loaded model,
 * files on disk), and the editor side did not crash (the test process saw no uncaught error and its
 * LSP connection recovered). Each case is one mocha test that fails if any check failed; the table
 * of all cases is written once, after every test, to stderr and to out/fault/fault-matrix.json.
 */

export type FaultArea = 'model files' | 'documents' | 'settings' | 'server process' | 'team server' | 'frontier endpoint' | 'downloads';

export interface FaultRow {
	area: FaultArea;
	fault: string;
	survived: boolean;
	dataLost: boolean;
	editorCrashed: boolean;
	/** What went wrong, when something did. */
	problems: string[];
	/** What happened, where a case can end more than one acceptable way. */
	notes: string[];
	ms: number;
}

const rows: FaultRow[] = [];
/** Errors nobody handled in the test process (the "editor") while the current case ran. */
const strayErrors: string[] = [];
const onStray = (error: unknown) => void strayErrors.push(error instanceof Error ? (error.stack ?? error.message) : String(error));

export class FaultChecks {
	readonly problems: { kind: 'survived' | 'data' | 'editor'; what: string }[] = [];
	readonly notes: string[] = [];

	/** Records which acceptable outcome happened (for the JSON report; no verdict). */
	note(text: string): void {
		this.notes.push(text);
	}

	/** The component answered the next request / came back. */
	survived(ok: boolean, what: string): void {
		if (!ok) this.problems.push({ kind: 'survived', what });
	}

	/** Nothing the user had was lost or altered. */
	dataKept(ok: boolean, what: string): void {
		if (!ok) this.problems.push({ kind: 'data', what });
	}

	/** The editor side (this process, its LSP connection) is fine. */
	editorAlive(ok: boolean, what: string): void {
		if (!ok) this.problems.push({ kind: 'editor', what });
	}
}

/**
 * One fault-matrix case: a mocha test named after the fault. `run` injects the fault and makes the
 * checks; an exception out of it counts as "did not survive" (the component, or the case, broke).
 */
export function faultCase(area: FaultArea, fault: string, run: (checks: FaultChecks) => Promise<void>, timeoutMs = 120_000): void {
	it(fault, async function () {
		this.timeout(timeoutMs);
		const checks = new FaultChecks();
		strayErrors.length = 0;
		process.on('unhandledRejection', onStray);
		const startedAt = performance.now();
		let thrown: unknown;
		try {
			await run(checks);
		} catch (error) {
			thrown = error;
		} finally {
			// Let stray rejections of the case's last promises surface before judging the editor side.
			await new Promise((resolve) => setImmediate(resolve));
			process.off('unhandledRejection', onStray);
		}
		const problems = checks.problems.map((problem) => `${problem.kind}: ${problem.what}`);
		if (thrown !== undefined) {
			problems.push(`threw: ${messageOf(thrown)}`);
		}
		problems.push(...strayErrors.map((error) => `editor: unhandled rejection in the client process: ${error.split('\n')[0]}`));
		rows.push({
			area,
			fault,
			survived: thrown === undefined && !checks.problems.some((problem) => problem.kind === 'survived'),
			dataLost: checks.problems.some((problem) => problem.kind === 'data'),
			editorCrashed: strayErrors.length > 0 || checks.problems.some((problem) => problem.kind === 'editor'),
			problems,
			notes: checks.notes,
			ms: Math.round(performance.now() - startedAt),
		});
		if (problems.length > 0) {
			throw new Error(`${area} / ${fault}:\n  ${problems.join('\n  ')}`);
		}
	});
}

export const MATRIX_JSON = path.join(repoRoot, 'out', 'fault', 'fault-matrix.json');

/** The table as text: one line per case, then the totals. */
export function formatMatrix(table: readonly FaultRow[]): string {
	const faultWidth = Math.min(70, Math.max(5, ...table.map((row) => row.fault.length)));
	const areaWidth = Math.max(4, ...table.map((row) => row.area.length));
	const line = (area: string, fault: string, survived: string, lost: string, crashed: string) =>
		`${area.padEnd(areaWidth)}  ${fault.slice(0, faultWidth).padEnd(faultWidth)}  ${survived.padEnd(8)}  ${lost.padEnd(9)}  ${crashed}`;
	const totals = summarizeMatrix(table);
	return [
		line('area', 'fault', 'survived', 'data lost', 'editor crash'),
		line('-'.repeat(areaWidth), '-'.repeat(faultWidth), '--------', '---------', '------------'),
		...table.map((row) =>
			line(row.area, row.fault, row.survived ? 'yes' : 'NO', row.dataLost ? 'YES' : '0', row.editorCrashed ? 'YES' : '0'),
		),
		'',
		`cases ${totals.cases}, survived ${totals.survived}, data lost ${totals.dataLost}, editor crashes ${totals.editorCrashes}`,
	].join('\n');
}

export function summarizeMatrix(table: readonly FaultRow[]): { cases: number; survived: number; dataLost: number; editorCrashes: number } {
	return {
		cases: table.length,
		survived: table.filter((row) => row.survived).length,
		dataLost: table.filter((row) => row.dataLost).length,
		editorCrashes: table.filter((row) => row.editorCrashed).length,
	};
}

// A root-level hook (registered while the first fault file loads): runs once after every test.
after(function () {
	if (rows.length === 0) {
		return;
	}
	process.stderr.write(`\nFault matrix\n${formatMatrix(rows)}\n`);
	fs.mkdirSync(path.dirname(MATRIX_JSON), { recursive: true });
	fs.writeFileSync(
		MATRIX_JSON,
		JSON.stringify({ writtenAt: new Date().toISOString(), totals: summarizeMatrix(rows), cases: rows }, null, 2) + '\n',
	);
	process.stderr.write(`(written to ${path.relative(repoRoot, MATRIX_JSON)})\n`);
});
