/**
 * The quality replay's material: held-out source files the bundled model never trained on, each
 * with a few files of its own package folder (the "other open files" extra context draws on).
 * test/fixtures/quality/manifest.json lists them; pickFixtures.ts wrote them from the corpus.
 */
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../tooling/projectRoot.js';

export const QUALITY_LANGUAGES = ['typescript', 'javascript', 'python', 'go', 'rust'] as const;
export type QualityLanguage = (typeof QUALITY_LANGUAGES)[number];

export interface QualityManifestFile {
	language: QualityLanguage;
	/** The file's path in the corpus (package name first), also the path the prompt names. */
	path: string;
	/** Where the corpus found it: "npm:name@version" or "debian:package". */
	origin: string;
	licence: string;
	siblings: { path: string; licence: string; split: 'train' | 'heldout' }[];
}

export interface QualityManifest {
	source: string;
	files: QualityManifestFile[];
}

export interface QualityFile {
	language: QualityLanguage;
	path: string;
	origin: string;
	text: string;
	/** The package's other files, open in the editor beside this one. */
	siblings: { path: string; text: string }[];
}

export function qualityFixtureFolder(): string {
	return path.join(projectRoot(), 'test', 'fixtures', 'quality');
}

/** Where a corpus file is kept under the fixture folder: files/<origin as a folder name>/<its path>. */
export function fixtureFilePath(folder: string, origin: string, filePath: string): string {
	return path.join(folder, 'files', origin.replace(/[:/\\]/g, '_'), filePath);
}

/** The fixture files, in manifest order (languages in QUALITY_LANGUAGES order), line breaks as "\n". */
export function loadQualityFiles(
	folder = qualityFixtureFolder(),
	languages: readonly QualityLanguage[] = QUALITY_LANGUAGES,
): QualityFile[] {
	const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8')) as QualityManifest;
	const read = (origin: string, filePath: string) =>
		fs.readFileSync(fixtureFilePath(folder, origin, filePath), 'utf8').replace(/\r\n/g, '\n');
	return manifest.files
		.filter((file) => languages.includes(file.language))
		.map((file) => ({
			language: file.language,
			path: file.path,
			origin: file.origin,
			text: read(file.origin, file.path),
			siblings: file.siblings.map((sibling) => ({ path: sibling.path, text: read(file.origin, sibling.path) })),
		}));
}

export function isQualityLanguage(name: string): name is QualityLanguage {
	return (QUALITY_LANGUAGES as readonly string[]).includes(name);
}
