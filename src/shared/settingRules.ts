/**
 * The kinds of value a Hearth setting can hold, each with the facts package.json declares for it
 * (type, default, minimum/maximum, enum, scope) and the check that enforces them. A setting's rule is
 * written once, in the schema (settings.ts); the defaults, the parsed types and the validation all
 * come from it, and test/unit/settingsSchema.test.ts holds it against package.json.
 */

/** Where VS Code takes a value from: `machine` ignores workspace and folder settings. */
export type SettingScope = 'window' | 'machine';

/** One setting: what package.json says about it, and how a raw value is checked against that. */
export interface SettingRule<T> {
	/** package.json's `type`. */
	readonly type: 'string' | 'boolean' | 'integer' | 'array' | 'object';
	/** package.json's `default`, also the value used when the setting is unset or invalid. */
	readonly default: T;
	readonly scope: SettingScope;
	readonly minimum?: number;
	readonly maximum?: number;
	readonly enum?: readonly string[];
	/** An object setting's fields (package.json's `properties`; no others are allowed). */
	readonly properties?: Readonly<Record<string, { type: 'number'; minimum: number }>>;
	/** An object setting with free keys: the type of every value (package.json's `additionalProperties`). */
	readonly additionalProperties?: { type: 'boolean' };
	/** The value to use, or undefined when the raw value breaks the rule. */
	parse(value: unknown): T | undefined;
	/** What can be kept of a value that breaks the rule, if anything (reported all the same). */
	salvage?(value: unknown): T | undefined;
}

/** A section of settings (`hearth.<section>.<key>`), one rule per key. */
export type SectionRules = Readonly<Record<string, SettingRule<unknown>>>;

/** The values a section's rules produce, keyed as the rules are (their doc comments carry over). */
export type SectionValues<S> = { -readonly [K in keyof S]: S[K] extends SettingRule<infer T> ? T : never };

/** Any string; leading and trailing white space is dropped. */
export function text(fallback: string): SettingRule<string> {
	return { type: 'string', default: fallback, scope: 'window', parse: (value) => (typeof value === 'string' ? value.trim() : undefined) };
}

/** An http(s) URL, or empty for none; trimmed. */
export function httpUrlOrEmpty(fallback: string): SettingRule<string> {
	return { type: 'string', default: fallback, scope: 'window', parse: (value) => (isHttpUrlOrEmpty(value) ? value.trim() : undefined) };
}

/** One of a fixed list of strings (package.json's `enum`). */
export function choice<const T extends readonly string[]>(options: T, fallback: T[number]): SettingRule<T[number]> {
	return {
		type: 'string',
		default: fallback,
		scope: 'window',
		enum: options,
		parse: (value) => (typeof value === 'string' && (options as readonly string[]).includes(value) ? value : undefined),
	};
}

export function flag(fallback: boolean): SettingRule<boolean> {
	return { type: 'boolean', default: fallback, scope: 'window', parse: (value) => (typeof value === 'boolean' ? value : undefined) };
}

/** A whole number from `minimum` to `maximum`; anything else (2.5, NaN, out of range) is refused. */
export function integer(fallback: number, minimum: number, maximum: number): SettingRule<number> {
	return {
		type: 'integer',
		default: fallback,
		scope: 'window',
		minimum,
		maximum,
		parse: (value) =>
			typeof value === 'number' && Number.isInteger(value) && value >= minimum && value <= maximum ? value : undefined,
	};
}

/** A list of strings. Entries that are not strings are dropped and reported; the others are kept. */
export function stringList(fallback: string[]): SettingRule<string[]> {
	const strings = (value: unknown) =>
		Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
	return {
		type: 'array',
		default: fallback,
		scope: 'window',
		parse: (value) => {
			const kept = strings(value);
			return kept && kept.length === (value as unknown[]).length ? kept : undefined;
		},
		salvage: strings,
	};
}

/** A price in US dollars per million tokens: both fields, or none (`{}`: no price set). */
export type PricePerMillionTokens = { input: number; output: number } | Record<string, never>;

export function price(): SettingRule<PricePerMillionTokens> {
	const field = { type: 'number', minimum: 0 } as const;
	const isPrice = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;
	return {
		type: 'object',
		default: {},
		scope: 'window',
		properties: { input: field, output: field },
		parse: (value): PricePerMillionTokens | undefined => {
			if (typeof value !== 'object' || value === null || Array.isArray(value)) {
				return undefined;
			}
			const { input, output, ...others } = value as Record<string, unknown>;
			if (Object.keys(others).length > 0) {
				return undefined;
			}
			if (input === undefined && output === undefined) {
				return {};
			}
			return isPrice(input) && isPrice(output) ? { input: input as number, output: output as number } : undefined;
		},
	};
}

/** On or off per language id, with `"*"` for every language not named: `{ "*": true, "markdown": false }`. */
export type LanguageSwitch = Readonly<Record<string, boolean>>;

/**
 * A switch per language in the shape Copilot's `github.copilot.enable` has. A plain boolean (how the
 * setting was first written) still works and means that value for every language. Entries that are
 * not booleans are dropped and reported; the others are kept.
 */
export function languageSwitch(fallback: LanguageSwitch): SettingRule<LanguageSwitch> {
	const booleans = (value: unknown): LanguageSwitch | undefined => {
		if (typeof value === 'boolean') {
			return { '*': value };
		}
		if (typeof value !== 'object' || value === null || Array.isArray(value)) {
			return undefined;
		}
		return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, boolean] => typeof entry[1] === 'boolean'));
	};
	return {
		type: 'object',
		default: fallback,
		scope: 'window',
		additionalProperties: { type: 'boolean' },
		parse: (value) => {
			const kept = booleans(value);
			return kept && (typeof value === 'boolean' || Object.keys(kept).length === Object.keys(value as object).length)
				? kept
				: undefined;
		},
		salvage: booleans,
	};
}

/**
 * Whether `languageId` is switched on: its own entry, else `"*"`, else on. Language ids are VS Code's
 * (`typescript`, `markdown`, `jsonc`, `scminput`, …).
 */
export function languageEnabled(languages: LanguageSwitch, languageId: string): boolean {
	return Object.hasOwn(languages, languageId) ? languages[languageId] === true : languages['*'] !== false;
}

/** The same rules, scoped to the machine: VS Code ignores what a workspace or folder sets for them. */
export function machineScoped<S extends SectionRules>(rules: S): S {
	return Object.fromEntries(Object.entries(rules).map(([key, rule]) => [key, { ...rule, scope: 'machine' }])) as unknown as S;
}

/** Each rule's default, as a section of values. */
export function sectionDefaults<S extends SectionRules>(rules: S): SectionValues<S> {
	return Object.fromEntries(Object.entries(rules).map(([key, rule]) => [key, structuredClone(rule.default)])) as SectionValues<S>;
}

/**
 * Reads `hearth.<section>.*` from whatever the configuration gave (any shape). A bad value never
 * stops anything: it is replaced by the default (or what can be kept of it) and one line names the
 * key, the bad value and the value used, for the log.
 */
export function readSection<S extends SectionRules>(section: string, rules: S, raw: unknown, problems: string[]): SectionValues<S> {
	const given = asRecord(raw);
	const values: Record<string, unknown> = {};
	for (const [key, rule] of Object.entries(rules)) {
		const value = given[key];
		if (value === undefined || value === null) {
			values[key] = structuredClone(rule.default);
			continue;
		}
		const parsed = rule.parse(value);
		if (parsed !== undefined) {
			values[key] = parsed;
			continue;
		}
		const used = rule.salvage?.(value) ?? structuredClone(rule.default);
		problems.push(`Setting hearth.${section}.${key} has an invalid value ${JSON.stringify(value)}; using ${JSON.stringify(used)}.`);
		values[key] = used;
	}
	return values as SectionValues<S>;
}

export function asRecord(value: unknown): Record<string, unknown> {
	return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function isHttpUrlOrEmpty(value: unknown): value is string {
	if (typeof value !== 'string') {
		return false;
	}
	if (value.trim() === '') {
		return true;
	}
	try {
		const url = new URL(value.trim());
		return url.protocol === 'http:' || url.protocol === 'https:';
	} catch {
		return false;
	}
}
