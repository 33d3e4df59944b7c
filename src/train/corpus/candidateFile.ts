import type { Language } from './languages.js';

/** A source file found under a root, before its content is read. */
export interface CandidateFile {
	readonly absolutePath: string;
	/** The path written in the document header, as a repository would have it ("lodash/map.js", "json/decoder.py"). */
	readonly relativePath: string;
	readonly language: Language;
	/** Where it came from: "npm:lodash@4.17.21", "debian:libpython3.11-stdlib". */
	readonly origin: string;
	readonly licence: string;
	readonly size: number;
}
