/**
 * Which licences the training corpus accepts, and how the many spellings found in package.json
 * files and Debian copyright files map onto SPDX identifiers.
 *
 * The policy is an allow-list of permissive licences: their terms ask for attribution in copies of
 * the software, which a model trained on the code does not redistribute, and they put no condition
 * on derived works. Everything else is skipped and counted:
 * - GPL, LGPL, AGPL and other copyleft licences (their terms reach derived works);
 * - MPL-2.0 and EPL: file-level copyleft; a model that reproduces a file verbatim would carry the
 *   obligation, so they are left out to keep the starter model's provenance simple;
 * - CC-BY and other content licences, proprietary and unknown licences, "SEE LICENSE IN …".
 */

/** SPDX identifiers the corpus accepts. */
export const ALLOWED_LICENCES: ReadonlySet<string> = new Set([
	'MIT',
	'MIT-0',
	'ISC',
	'BSD-2-Clause',
	'BSD-3-Clause',
	'0BSD',
	'Apache-2.0',
	'PSF-2.0',
	'Python-2.0',
	'Zlib',
	'Unlicense',
	'CC0-1.0',
	'BSL-1.0',
	'BlueOak-1.0.0',
	'WTFPL',
	'X11',
]);

// Lower-cased spellings seen in the wild, mapped to SPDX. Keys have spaces and punctuation
// collapsed (see `canonicalKey`), so "BSD 3-clause" and "bsd-3-clause" meet.
const ALIASES: Record<string, string> = {
	mit: 'MIT',
	mitlicense: 'MIT',
	expat: 'MIT',
	mit0: 'MIT-0',
	isc: 'ISC',
	bsd: 'BSD-3-Clause',
	bsd2: 'BSD-2-Clause',
	bsd2clause: 'BSD-2-Clause',
	freebsd: 'BSD-2-Clause',
	simplifiedbsd: 'BSD-2-Clause',
	bsd3: 'BSD-3-Clause',
	bsd3clause: 'BSD-3-Clause',
	newbsd: 'BSD-3-Clause',
	revisedbsd: 'BSD-3-Clause',
	// Debian's name for the Go licence, which is the 3-clause BSD text.
	go: 'BSD-3-Clause',
	'0bsd': '0BSD',
	apache2: 'Apache-2.0',
	apache20: 'Apache-2.0',
	apachelicense20: 'Apache-2.0',
	apachelicenseversion20: 'Apache-2.0',
	psf: 'PSF-2.0',
	psf2: 'PSF-2.0',
	psf20: 'PSF-2.0',
	python: 'Python-2.0',
	python2: 'Python-2.0',
	python20: 'Python-2.0',
	pythonsoftwarefoundationlicense: 'PSF-2.0',
	zlib: 'Zlib',
	unlicense: 'Unlicense',
	theunlicense: 'Unlicense',
	cc0: 'CC0-1.0',
	cc010: 'CC0-1.0',
	publicdomain: 'CC0-1.0',
	bsl10: 'BSL-1.0',
	boost: 'BSL-1.0',
	boostsoftwarelicense10: 'BSL-1.0',
	blueoak100: 'BlueOak-1.0.0',
	wtfpl: 'WTFPL',
	x11: 'X11',
	gpl: 'GPL',
	gpl2: 'GPL-2.0',
	gpl20: 'GPL-2.0',
	'gpl2+': 'GPL-2.0-or-later',
	'gpl20+': 'GPL-2.0-or-later',
	gpl20orlater: 'GPL-2.0-or-later',
	gpl20only: 'GPL-2.0',
	gpl3: 'GPL-3.0',
	gpl30: 'GPL-3.0',
	'gpl3+': 'GPL-3.0-or-later',
	'gpl30+': 'GPL-3.0-or-later',
	gpl30orlater: 'GPL-3.0-or-later',
	gpl30only: 'GPL-3.0',
	lgpl: 'LGPL',
	lgpl21: 'LGPL-2.1',
	'lgpl21+': 'LGPL-2.1-or-later',
	lgpl3: 'LGPL-3.0',
	lgpl30: 'LGPL-3.0',
	agpl3: 'AGPL-3.0',
	agpl30: 'AGPL-3.0',
	mpl20: 'MPL-2.0',
	mpl2: 'MPL-2.0',
	epl10: 'EPL-1.0',
	epl20: 'EPL-2.0',
	ccby40: 'CC-BY-4.0',
	ccby30: 'CC-BY-3.0',
};

function canonicalKey(name: string): string {
	return name
		.toLowerCase()
		.replace(/\blicen[cs]e\b/g, ' license ')
		.replace(/\bversion\b/g, '')
		.replace(/[\s_.,()"'-]+/g, '')
		.replace(/^the/, '');
}

/** The SPDX identifier for one licence name, or the name itself (trimmed) when it is not known. */
export function normalizeLicenceName(name: string): string {
	const trimmed = name.trim();
	const key = canonicalKey(trimmed);
	if (key in ALIASES) return ALIASES[key]!;
	// Already an SPDX identifier with different case ("apache-2.0").
	for (const allowed of ALLOWED_LICENCES) {
		if (allowed.toLowerCase() === trimmed.toLowerCase()) return allowed;
	}
	if (/^(l|a)?gpl/i.test(key)) return trimmed.toUpperCase();
	return trimmed;
}

export interface LicenceVerdict {
	/** The expression with each licence name normalised, e.g. "MIT OR Apache-2.0". */
	readonly licence: string;
	readonly allowed: boolean;
}

/**
 * Judges an SPDX-like expression: "A OR B" is usable when either side is (we may pick it), "A AND B"
 * only when both are. Debian writes "or"/"and" in lower case and "," in places; "WITH" exceptions
 * (Classpath, LLVM) do not turn a copyleft licence into a permissive one, so they are judged by the
 * licence they modify.
 */
export function judgeLicenceExpression(expression: string | undefined): LicenceVerdict {
	const text = (expression ?? '').trim();
	if (text === '' || /^(unknown|unlicensed|none|proprietary|see license in\b|see licence in\b|custom:)/i.test(text)) {
		return { licence: text === '' ? 'unknown' : text, allowed: false };
	}
	const alternatives = splitTopLevel(stripOuterParentheses(text), /\s+or\s+|\s*\|\s*/i);
	const judged = alternatives.map((alternative) => {
		const conjuncts = splitTopLevel(stripOuterParentheses(alternative), /\s+and\s+|\s*,\s*and\s+|\s*&\s*/i).map((part) => {
			const inner = stripOuterParentheses(part);
			if (inner !== part.trim()) return judgeLicenceExpression(inner);
			const withoutException = inner.split(/\s+with\s+/i)[0]!;
			const licence = normalizeLicenceName(withoutException);
			return { licence, allowed: ALLOWED_LICENCES.has(licence) };
		});
		return {
			licence: conjuncts.map((verdict) => verdict.licence).join(' AND '),
			allowed: conjuncts.every((verdict) => verdict.allowed),
		};
	});
	return {
		licence: judged
			.map((verdict) => (judged.length > 1 && verdict.licence.includes(' AND ') ? `(${verdict.licence})` : verdict.licence))
			.join(' OR '),
		allowed: judged.some((verdict) => verdict.allowed),
	};
}

function stripOuterParentheses(text: string): string {
	let result = text.trim();
	while (result.startsWith('(') && result.endsWith(')') && closingParenthesisOf(result) === result.length - 1) {
		result = result.slice(1, -1).trim();
	}
	return result;
}

function closingParenthesisOf(text: string): number {
	let depth = 0;
	for (let index = 0; index < text.length; index++) {
		if (text[index] === '(') depth++;
		else if (text[index] === ')' && --depth === 0) return index;
	}
	return -1;
}

/** Splits on `separator` outside parentheses. */
function splitTopLevel(text: string, separator: RegExp): string[] {
	const parts: string[] = [];
	let depth = 0;
	let start = 0;
	const global = new RegExp(separator.source, separator.flags.includes('g') ? separator.flags : separator.flags + 'g');
	for (const match of text.matchAll(global)) {
		depth = depthAt(text, match.index!);
		if (depth === 0) {
			parts.push(text.slice(start, match.index));
			start = match.index! + match[0].length;
		}
	}
	parts.push(text.slice(start));
	return parts.map((part) => part.trim()).filter((part) => part !== '');
}

function depthAt(text: string, end: number): number {
	let depth = 0;
	for (let index = 0; index < end; index++) {
		if (text[index] === '(') depth++;
		else if (text[index] === ')') depth--;
	}
	return depth;
}
