import assert from 'node:assert/strict';
import fs from 'node:fs';
import { detectSecrets } from '../../src/extension/escalation/redaction/index.js';
import { sampleRealSources, SIZE_CAP } from './secretRealSourceSample.js';

/**
 * Real code is not redacted: over a deterministic sample of 6,000 real source files (JavaScript
 * and TypeScript from node_modules, Python's standard library and installed packages), at most
 * 0.1 % of files get any redaction at all. What is found there is mostly what is a secret by its
 * shape even in a library (test keys in PEM blocks, the documentation examples of OAuth).
 *
 * The test prints nothing; with HEARTH_SECRET_SCAN_REPORT=<file> it writes its figures there as
 * JSON (files scanned, files with a redaction, the kinds found and where).
 */
const SAMPLE_SIZE = 6000;
const MAX_FILE_SHARE = 0.001;

describe('secret redaction: false positives over real source files', function () {
	it(`redacts something in at most ${MAX_FILE_SHARE * 100} % of ${SAMPLE_SIZE} real source files`, function () {
		const { files, candidates } = sampleRealSources(SAMPLE_SIZE);
		assert.ok(files.length >= 5000, `only ${files.length} source files of at most ${SIZE_CAP} bytes on this machine`);
		let bytes = 0;
		const hits: { file: string; root: string; kinds: string[] }[] = [];
		const kinds = new Map<string, number>();
		for (const file of files) {
			const text = fs.readFileSync(file.path, 'utf8');
			bytes += text.length;
			const findings = detectSecrets(text);
			if (findings.length > 0) {
				hits.push({ file: file.path, root: file.root, kinds: findings.map((finding) => finding.kind) });
				for (const finding of findings) {
					kinds.set(finding.kind, (kinds.get(finding.kind) ?? 0) + 1);
				}
			}
		}
		const report = process.env['HEARTH_SECRET_SCAN_REPORT'];
		if (report) {
			const byRoot: Record<string, number> = {};
			for (const file of files) {
				byRoot[file.root] = (byRoot[file.root] ?? 0) + 1;
			}
			const figures = {
				candidates,
				scanned: files.length,
				byRoot,
				characters: bytes,
				filesWithRedaction: hits.length,
				share: hits.length / files.length,
				kinds: Object.fromEntries(kinds),
				hits,
			};
			fs.writeFileSync(report, `${JSON.stringify(figures, null, '\t')}\n`);
		}
		assert.ok(
			hits.length <= files.length * MAX_FILE_SHARE,
			`${hits.length} of ${files.length} files: ${hits.map((hit) => `${hit.file} (${hit.kinds.join(', ')})`).join('; ')}`,
		);
	});
});
