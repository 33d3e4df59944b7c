/**
 * The corpus sources list (models/recipe/corpus-sources.json): what the corpus is built from, so a
 * corpus is one command away on a fresh Debian machine. It names
 * - `debian.packages`: Debian packages to install (their files are found through the roots below);
 * - `npm.packages`: npm packages at exact versions ("name@1.2.3"), installed into a scratch folder;
 * - `roots`: the folders to collect from, in the form `--roots` takes them (`debian` with an optional
 *   `base`, `npm`), plus `npm-packages`: the scratch node_modules the npm packages went into;
 * - `build` (optional): defaults for the build options the command line can override.
 * Relative root directories are resolved against the project root. Fields named `about` are notes
 * for people and are ignored. Anything else is an error, so a typo cannot silently drop a source.
 *
 * Exact versions matter beyond reproducibility: the held-out split is a hash of origin
 * ("npm:name@version") and path, so the same versions bring back the same held-out files.
 */
import path from 'node:path';

export const CORPUS_SOURCES_FORMAT = 'hearth-corpus-sources/1';

export type SourcesRoot =
	| { readonly kind: 'debian'; readonly directory: string; readonly base: string }
	| { readonly kind: 'npm'; readonly directory: string }
	| { readonly kind: 'npm-packages' };

export interface NpmPackageSpec {
	readonly name: string;
	readonly version: string;
}

export interface SourcesBuildDefaults {
	readonly maxBytes?: number;
	readonly maxFileBytes?: number;
	readonly heldoutFraction?: number;
	readonly maxOriginShare?: number;
	readonly seed?: number;
}

export interface CorpusSources {
	readonly debianPackages: readonly string[];
	readonly npmPackages: readonly NpmPackageSpec[];
	readonly roots: readonly SourcesRoot[];
	readonly build: SourcesBuildDefaults;
}

export class CorpusSourcesError extends Error {}

// Debian policy 5.6.1: lower case letters, digits, "+", "-", "."; at least two characters, starting alphanumeric.
const DEBIAN_PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
// npm names: an optional @scope/, then URL-safe lower-case characters.
const NPM_PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
// An exact semantic version: no ranges, tags or "x".
const EXACT_VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** "@scope/name@1.2.3" → { name: "@scope/name", version: "1.2.3" }, or an error saying what is wrong. */
export function parseNpmPackageSpec(spec: string): NpmPackageSpec {
	const at = spec.lastIndexOf('@');
	if (at <= 0) throw new CorpusSourcesError(`npm package "${spec}" needs an exact version: name@1.2.3`);
	const name = spec.slice(0, at);
	const version = spec.slice(at + 1);
	if (!NPM_PACKAGE_NAME.test(name)) throw new CorpusSourcesError(`npm package "${spec}": "${name}" is not a valid npm package name`);
	if (!EXACT_VERSION.test(version)) {
		throw new CorpusSourcesError(
			`npm package "${spec}": "${version}" is not an exact version (ranges and tags would bring back other files and another held-out split)`,
		);
	}
	return { name, version };
}

/** Validates the parsed JSON of a sources list; `projectRoot` anchors relative root directories. */
export function parseCorpusSources(json: unknown, projectRoot: string, where = 'corpus sources'): CorpusSources {
	const fail = (message: string): never => {
		throw new CorpusSourcesError(`${where}: ${message}`);
	};
	const object = (value: unknown, name: string, allowed: readonly string[]): Record<string, unknown> => {
		if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(`${name} must be an object`);
		const record = value as Record<string, unknown>;
		for (const key of Object.keys(record)) {
			if (key !== 'about' && !allowed.includes(key)) fail(`${name} has an unknown field "${key}" (known: ${allowed.join(', ')})`);
		}
		return record;
	};
	const stringList = (value: unknown, name: string): string[] => {
		if (value === undefined) return [];
		if (!Array.isArray(value)) return fail(`${name} must be a list of strings`);
		const seen = new Set<string>();
		return value.map((item, index) => {
			if (typeof item !== 'string' || item.trim() === '') return fail(`${name}[${index}] must be a non-empty string`);
			if (seen.has(item)) fail(`${name}[${index}] "${item}" is listed twice`);
			seen.add(item);
			return item;
		});
	};

	const top = object(json, 'the sources list', ['format', 'debian', 'npm', 'roots', 'build']);
	if (top['format'] !== CORPUS_SOURCES_FORMAT)
		fail(`"format" must be "${CORPUS_SOURCES_FORMAT}" (found ${JSON.stringify(top['format'])})`);

	const debianPackages = stringList(
		top['debian'] === undefined ? undefined : object(top['debian'], 'debian', ['packages'])['packages'],
		'debian.packages',
	);
	debianPackages.forEach((name, index) => {
		if (!DEBIAN_PACKAGE_NAME.test(name)) fail(`debian.packages[${index}] "${name}" is not a Debian package name`);
	});

	const npmSpecs = stringList(top['npm'] === undefined ? undefined : object(top['npm'], 'npm', ['packages'])['packages'], 'npm.packages');
	const npmNames = new Set<string>();
	const npmPackages = npmSpecs.map((spec, index) => {
		let parsed: NpmPackageSpec;
		try {
			parsed = parseNpmPackageSpec(spec);
		} catch (error) {
			return fail(`npm.packages[${index}]: ${(error as Error).message}`);
		}
		if (npmNames.has(parsed.name)) fail(`npm.packages[${index}] "${spec}": ${parsed.name} is listed twice (one version per package)`);
		npmNames.add(parsed.name);
		return parsed;
	});

	if (!Array.isArray(top['roots']) || top['roots'].length === 0) fail('"roots" must be a non-empty list');
	const roots = (top['roots'] as unknown[]).map((value, index): SourcesRoot => {
		const name = `roots[${index}]`;
		const kind = (value as { kind?: unknown } | null)?.kind;
		if (kind === 'npm-packages') {
			object(value, name, ['kind']);
			if (npmPackages.length === 0) fail(`${name} is "npm-packages" but npm.packages is empty`);
			return { kind };
		}
		if (kind !== 'debian' && kind !== 'npm')
			return fail(`${name}.kind must be "debian", "npm" or "npm-packages" (found ${JSON.stringify(kind)})`);
		const root = object(value, name, kind === 'debian' ? ['kind', 'directory', 'base'] : ['kind', 'directory']);
		const directory = root['directory'];
		if (typeof directory !== 'string' || directory.trim() === '') return fail(`${name}.directory must be a non-empty string`);
		if (kind === 'npm') return { kind, directory: path.resolve(projectRoot, directory) };
		const base = root['base'] ?? directory;
		if (typeof base !== 'string' || base.trim() === '') return fail(`${name}.base must be a non-empty string`);
		const resolved = { directory: path.resolve(projectRoot, directory), base: path.resolve(projectRoot, base) };
		if (path.relative(resolved.base, resolved.directory).startsWith('..'))
			fail(`${name}: directory ${directory} is not inside its base ${base}`);
		return { kind, ...resolved };
	});
	if (npmPackages.length > 0 && !roots.some((root) => root.kind === 'npm-packages')) {
		fail('npm.packages lists packages but no root is { "kind": "npm-packages" }, so they would be installed and never read');
	}

	const build =
		top['build'] === undefined
			? {}
			: object(top['build'], 'build', ['maxBytes', 'maxFileBytes', 'heldoutFraction', 'maxOriginShare', 'seed']);
	const integer = (key: string): number | undefined => {
		const value = build[key];
		if (value === undefined) return undefined;
		if (typeof value !== 'number' || !Number.isInteger(value) || (key !== 'seed' && value <= 0))
			fail(`build.${key} must be a ${key === 'seed' ? '' : 'positive '}integer`);
		return value as number;
	};
	const fraction = (key: string): number | undefined => {
		const value = build[key];
		if (value === undefined) return undefined;
		if (typeof value !== 'number' || !(value >= 0 && value <= 1)) fail(`build.${key} must be a number from 0 to 1`);
		return value as number;
	};
	const defaults: SourcesBuildDefaults = {
		maxBytes: integer('maxBytes'),
		maxFileBytes: integer('maxFileBytes'),
		heldoutFraction: fraction('heldoutFraction'),
		maxOriginShare: fraction('maxOriginShare'),
		seed: integer('seed'),
	};
	if (defaults.maxOriginShare === 0) fail('build.maxOriginShare must be above 0 (1 turns the cap off)');
	return { debianPackages, npmPackages, roots, build: defaults };
}
