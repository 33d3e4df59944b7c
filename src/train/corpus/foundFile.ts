/**
 * The checks every found file goes through before its content is read: is it source code we
 * collect, is its licence allowed, is it small enough. What passes becomes a candidate; what does
 * not is counted in the ledger under its reason.
 */
import { stat } from 'node:fs/promises';
import type { CandidateFile } from './candidateFile.js';
import { languageOfPath } from './languages.js';
import { judgeLicenceExpression } from './licencePolicy.js';
import type { SkipLedger } from './skipLedger.js';

export interface FoundFile {
	readonly absolutePath: string;
	readonly relativePath: string;
	readonly origin: string;
	/** The licence as the source states it; judged here. */
	readonly licence: string;
}

export interface FoundFileSink {
	/** A file that passed the checks that need no reading. */
	accept(candidate: CandidateFile): void;
	/** A source file skipped for its licence, for the per-origin report. */
	rejectForLicence(origin: string, licence: string, bytes: number): void;
	readonly maxFileBytes: number;
}

// Named apart from "not source code" because the brief asks for them by name: they look like text
// a model could learn from, and are not.
const LOCK_OR_MAP =
	/(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock|poetry\.lock|go\.sum|[^/]+\.(js|css|mjs|cjs)\.map|[^/]+\.map)$/;

export async function classifyFoundFile(file: FoundFile, ledger: SkipLedger, sink: FoundFileSink): Promise<void> {
	if (LOCK_OR_MAP.test(file.relativePath)) {
		ledger.record('lock-file-or-source-map', file.relativePath);
		return;
	}
	const language = languageOfPath(file.relativePath);
	if (language === undefined) {
		ledger.record('not-source-code', file.relativePath);
		return;
	}
	let size: number;
	try {
		size = (await stat(file.absolutePath)).size;
	} catch {
		ledger.record('unreadable-file', file.relativePath);
		return;
	}
	const verdict = judgeLicenceExpression(file.licence);
	if (!verdict.allowed) {
		ledger.record(
			verdict.licence === 'unknown' ? 'licence-unknown' : 'licence-not-allowed',
			`${file.relativePath} (${verdict.licence})`,
			size,
		);
		sink.rejectForLicence(file.origin, verdict.licence, size);
		return;
	}
	if (size > sink.maxFileBytes) {
		ledger.record('too-large', `${file.relativePath} (${size} bytes)`, size);
		return;
	}
	sink.accept({
		absolutePath: file.absolutePath,
		relativePath: file.relativePath,
		language,
		origin: file.origin,
		licence: verdict.licence,
		size,
	});
}
