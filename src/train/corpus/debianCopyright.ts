/**
 * Reads a Debian `copyright` file. Machine-readable ones (DEP-5) list `Files:` globs with a
 * `License:` each; the licence of a file is the one of the LAST paragraph whose globs match its
 * path in the upstream source tree (DEP-5's own rule). Older free-form files get a best guess from
 * well-known licence titles, and no guess at all means "unknown" (skipped).
 */
import { judgeLicenceExpression } from './licencePolicy.js';

export interface CopyrightFilesParagraph {
	readonly patterns: readonly string[];
	/** The first line of the `License:` field: the short name or expression. */
	readonly licence: string;
}

export interface DebianCopyright {
	readonly machineReadable: boolean;
	readonly paragraphs: readonly CopyrightFilesParagraph[];
	/** For free-form files: the licence recognised in the text, if any. */
	readonly freeFormLicence?: string;
}

export function parseDebianCopyright(text: string): DebianCopyright {
	const machineReadable = /^Format:\s*\S*copyright-format/im.test(text.slice(0, 2000));
	if (!machineReadable) {
		return { machineReadable, paragraphs: [], freeFormLicence: guessFreeFormLicence(text) };
	}
	const paragraphs: CopyrightFilesParagraph[] = [];
	// Stand-alone "License: <name>" paragraphs hold the text of a short name used above them.
	const licenceTexts = new Map<string, string>();
	for (const block of text.split(/\n[ \t]*\n/)) {
		const fields = parseFields(block);
		const files = fields.get('files');
		const licence = fields.get('license');
		if (licence === undefined) continue;
		const [name, ...body] = licence.split('\n');
		if (files === undefined) {
			licenceTexts.set(name!.trim(), body.join('\n'));
			continue;
		}
		const patterns = files.split(/\s+/).filter((pattern) => pattern !== '');
		paragraphs.push({ patterns, licence: name!.trim() });
	}
	return {
		machineReadable,
		paragraphs: paragraphs.map((paragraph) => ({ ...paragraph, licence: resolveShortName(paragraph.licence, licenceTexts) })),
	};
}

/** Field name (lower case) → value, continuation lines joined with "\n"; comment lines dropped. */
function parseFields(block: string): Map<string, string> {
	const fields = new Map<string, string>();
	let current: string | undefined;
	for (const line of block.split('\n')) {
		if (line.startsWith('#')) continue;
		const field = /^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/.exec(line);
		if (field) {
			current = field[1]!.toLowerCase();
			fields.set(current, field[2]!.trim());
		} else if (current !== undefined && /^\s/.test(line)) {
			fields.set(current, `${fields.get(current)}\n${line.trim()}`);
		}
	}
	return fields;
}

/**
 * Some packages use a short name DEP-5 does not define ("Apache" with no version) and give the
 * text in a stand-alone paragraph; when the name alone is not an allowed licence and that text
 * carries a recognised licence title, the title decides.
 */
function resolveShortName(name: string, licenceTexts: ReadonlyMap<string, string>): string {
	if (judgeLicenceExpression(name).allowed) return name;
	const body = licenceTexts.get(name);
	const recognised = body === undefined ? undefined : guessFreeFormLicence(body);
	return recognised !== undefined && judgeLicenceExpression(recognised).allowed ? recognised : name;
}

/** DEP-5 globs: `*` matches any run of characters including "/", `?` exactly one. */
export function dep5GlobMatches(pattern: string, relativePath: string): boolean {
	const source = pattern
		.replace(/^\.\//, '')
		.split('')
		.map((character) => (character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
		.join('');
	return new RegExp(`^${source}$`, 's').test(relativePath);
}

/** The licence for a path relative to the upstream source tree, or undefined when nothing says. */
export function licenceForPath(copyright: DebianCopyright, relativePath: string): string | undefined {
	if (!copyright.machineReadable) return copyright.freeFormLicence;
	let found: string | undefined;
	for (const paragraph of copyright.paragraphs) {
		if (paragraph.patterns.some((pattern) => dep5GlobMatches(pattern, relativePath))) found = paragraph.licence;
	}
	return found;
}

// Titles that free-form copyright files put above the licence text, most specific first. Copyleft
// titles come first so that a package under "GPL with a permissive exception for part" is not
// mistaken for permissive.
const FREE_FORM_TITLES: readonly [RegExp, string][] = [
	[/GNU (Affero|AFFERO) General Public License/, 'AGPL-3.0'],
	[/GNU (Lesser|LESSER|Library|LIBRARY) General Public License/, 'LGPL'],
	[/GNU General Public License|GNU GENERAL PUBLIC LICENSE|\bGPL-?[23]\b/, 'GPL'],
	[/PYTHON SOFTWARE FOUNDATION LICENSE|Python License|PSF LICENSE AGREEMENT/, 'PSF-2.0'],
	[/Apache License,? Version 2\.0|apache\.org\/licenses\/LICENSE-2\.0/, 'Apache-2.0'],
	[/Permission is hereby granted, free of charge, to any person obtaining a copy/, 'MIT'],
	[/Redistribution and use in source and binary forms/, 'BSD-3-Clause'],
];

function guessFreeFormLicence(text: string): string | undefined {
	// Only the top of the file names the package's own licence; further down come the licences of
	// bundled pieces, which must not decide for the whole package.
	const head = text.slice(0, 6000);
	let earliest: { index: number; licence: string } | undefined;
	for (const [title, licence] of FREE_FORM_TITLES) {
		const match = title.exec(head);
		if (match && (earliest === undefined || match.index < earliest.index)) earliest = { index: match.index, licence };
	}
	return earliest?.licence;
}
