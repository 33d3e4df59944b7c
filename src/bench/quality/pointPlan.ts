/**
 * Which points each file of a language gets: the language's points split evenly over the four
 * cursor kinds, each kind's share spread over the files (a file short of places gives what it has),
 * drawn with seeds made from the run's seed, the file's path and the kind.
 */
import { createHash } from 'node:crypto';
import { CURSOR_KINDS, detectIndentUnit, samplePoints, type CursorPoint } from './cursorPoints.js';
import type { QualityFile } from './qualityFixtures.js';

export interface FilePoints {
	file: QualityFile;
	points: CursorPoint[];
}

export function planPoints(files: readonly QualityFile[], pointsPerLanguage: number, seed: number): FilePoints[] {
	const plans = files.map((file) => ({ file, points: [] as CursorPoint[] }));
	const languages = [...new Set(files.map((file) => file.language))];
	for (const language of languages) {
		const ofLanguage = plans.filter((plan) => plan.file.language === language);
		let start = 0;
		for (const [kindIndex, kind] of CURSOR_KINDS.entries()) {
			// The remainder of an uneven split goes to the first kinds.
			const wanted =
				Math.floor(pointsPerLanguage / CURSOR_KINDS.length) + (kindIndex < pointsPerLanguage % CURSOR_KINDS.length ? 1 : 0);
			const drawn = ofLanguage.map((plan) => ({
				plan,
				points: samplePoints(
					plan.file.text,
					kind,
					language,
					wanted,
					seedOf(seed, plan.file.path, kind),
					detectIndentUnit(plan.file.text),
				),
			}));
			// Round-robin over the files, so that each gives about the same number; each kind starts
			// where the last one stopped, so that a few points per kind still cover every file.
			let taken = 0;
			const rotated = drawn.map((_, index) => drawn[(index + start) % drawn.length]!);
			start = (start + wanted) % Math.max(1, drawn.length);
			for (let round = 0; taken < wanted && drawn.some((entry) => entry.points.length > round); round++) {
				for (const entry of rotated) {
					if (taken < wanted && entry.points[round]) {
						entry.plan.points.push(entry.points[round]!);
						taken++;
					}
				}
			}
		}
	}
	for (const plan of plans) {
		plan.points.sort((a, b) => a.line - b.line || a.prefix.length - b.prefix.length);
	}
	return plans.filter((plan) => plan.points.length > 0);
}

function seedOf(seed: number, filePath: string, kind: string): number {
	return createHash('sha1').update(`${seed}:${filePath}:${kind}`).digest().readUInt32BE(0);
}
