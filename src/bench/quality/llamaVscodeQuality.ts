/**
 * llama.vscode's side of the quality replay: the same points sent to llama-server the way that
 * extension asks at a pause (race/infillRequest.ts: 256 whole lines before, 64 after, the cursor
 * line's prefix as `prompt`, its n_predict of 128, n_indent, t_max_prompt_ms/t_max_predict_ms
 * 500), with its ring buffer of chunks from the files opened before (input_extra), no request when
 * more than 8 characters follow the cursor, and its answer handling: trailing blank lines dropped,
 * shouldDiscardSuggestion, the first line only when text follows the cursor, the indentation left
 * out of the prompt taken off. Greedy decoding (top-k 1) on both sides, so a run is repeatable.
 */
import type { InfillClient } from '../race/infillClient.js';
import { infillBody, infillContext } from '../race/infillRequest.js';
import { LLAMA_VSCODE_DEFAULTS } from '../race/llamaVscodeSettings.js';
import { fitToLine, removeLeadingIndentation, suggestionLines } from '../race/suggestionCache.js';
import { messageOf } from '../../shared/errorMessage.js';
import type { CursorPoint } from './cursorPoints.js';
import { scoreSuggestion, type PointOutcome } from './qualityMetrics.js';
import type { QualityFile } from './qualityFixtures.js';

/** llama.vscode's n_predict default (the race uses the bench's fixed length instead). */
export const LLAMA_VSCODE_N_PREDICT = 128;
/** Its ring buffer: at most 16 chunks; a file opened with the cursor on its first line gives its first 32 lines (ring_chunk_size / 2). */
const RING_CHUNKS = 16;
const CHUNK_LINES = 32;

export interface LlamaVscodePointOutcome extends PointOutcome {
	/** 'not-asked' (more than max_line_suffix characters after the cursor), 'discarded', 'shown', 'empty', 'error'. */
	outcome: 'not-asked' | 'discarded' | 'shown' | 'empty' | 'error';
	stopType?: string | null;
	error?: string;
	text: string;
}

/** The input_extra llama.vscode would have after the package's other files were opened, each at its top. */
export function ringChunks(file: QualityFile): { filename: string; text: string }[] {
	return file.siblings
		.map((sibling) => ({ filename: sibling.path, text: sibling.text.split('\n').slice(0, CHUNK_LINES).join('\n') + '\n' }))
		.filter((chunk) => chunk.text.split('\n').length >= 3)
		.slice(-RING_CHUNKS);
}

/**
 * llama.vscode's shouldDiscardSuggestion: no lines, a blank single line, or a suggestion that only
 * repeats what follows the cursor (the rest of the line, the next non-blank line(s)).
 */
export function shouldDiscard(
	lines: readonly string[],
	documentLines: readonly string[],
	cursorLine: number,
	linePrefix: string,
	lineSuffix: string,
): boolean {
	if (lines.length === 0 || (lines.length === 1 && lines[0]!.trim() === '')) {
		return true;
	}
	if (cursorLine === documentLines.length - 1) {
		return false;
	}
	const first = lines[0]!;
	if (
		lines.length > 1 &&
		(first.trim() === '' || first.trim() === lineSuffix.trim()) &&
		lines.slice(1).every((line, index) => line === documentLines[cursorLine + 1 + index])
	) {
		return true;
	}
	if (lines.length === 1 && first === lineSuffix) {
		return true;
	}
	let next = cursorLine + 1;
	while (next < documentLines.length && documentLines[next]!.trim() === '') {
		next++;
	}
	if (next >= documentLines.length) {
		return false;
	}
	if (linePrefix + first === documentLines[next]) {
		if (lines.length === 1) {
			return true;
		}
		const following = documentLines[next + 1] ?? '';
		if (lines.length === 2 && lines[1] === following.slice(0, lines[1]!.length)) {
			return true;
		}
		if (lines.length > 2 && lines.slice(1).every((line, index) => line === documentLines[next + 1 + index])) {
			return true;
		}
	}
	return false;
}

/** Asks every point of every file, one request at a time, as a person pausing at each. */
export async function runLlamaVscode(
	infill: InfillClient,
	files: readonly { file: QualityFile; points: readonly CursorPoint[] }[],
	timeLimits: boolean,
): Promise<LlamaVscodePointOutcome[][]> {
	const settings = LLAMA_VSCODE_DEFAULTS;
	const outcomes: LlamaVscodePointOutcome[][] = [];
	for (const { file, points } of files) {
		const inputExtra = ringChunks(file);
		const perFile: LlamaVscodePointOutcome[] = [];
		for (const point of points) {
			const text = point.prefix + point.suffix;
			const context = infillContext(text, point.prefix.length, settings);
			const missed = (outcome: LlamaVscodePointOutcome['outcome'], extra: Partial<LlamaVscodePointOutcome> = {}) =>
				perFile.push({ ...scoreSuggestion('', point.truth), latencyMs: 0, generatedTokens: 0, outcome, text: '', ...extra });
			if (context.lineSuffix.length > settings.maxLineSuffix) {
				missed('not-asked');
				continue;
			}
			const startedAt = performance.now();
			try {
				const response = await infill(
					infillBody(
						context,
						{
							nPredict: LLAMA_VSCODE_N_PREDICT,
							fixedLength: false,
							// 0 is llama-server's "no limit".
							tMaxPromptMs: timeLimits ? settings.tMaxPromptMs : 0,
							tMaxPredictMs: timeLimits ? settings.tMaxPredictMs : 0,
						},
						inputExtra,
					),
				);
				const latencyMs = performance.now() - startedAt;
				const cost = { latencyMs, generatedTokens: response.predictedN, stopType: response.stopType };
				const lines = suggestionLines(response.content);
				const documentLines = text.split('\n');
				const cursorLine = point.prefix.split('\n').length - 1;
				const linePrefix = point.prefix.slice(point.prefix.lastIndexOf('\n') + 1);
				if (lines.length === 0 || shouldDiscard(lines, documentLines, cursorLine, linePrefix, context.lineSuffix)) {
					missed(lines.length === 0 ? 'empty' : 'discarded', cost);
					continue;
				}
				const shown = removeLeadingIndentation(fitToLine(lines, context.lineSuffix), context.spacesToRemove);
				perFile.push({ ...scoreSuggestion(shown, point.truth), ...cost, outcome: 'shown', text: shown });
			} catch (error) {
				missed('error', { latencyMs: performance.now() - startedAt, error: messageOf(error) });
			}
		}
		outcomes.push(perFile);
	}
	return outcomes;
}
