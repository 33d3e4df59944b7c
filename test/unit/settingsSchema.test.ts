import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEscalationSettings, parseSettings } from '../../src/shared/parseSettings.js';
import { readSection, type SettingRule } from '../../src/shared/settingRules.js';
import { DEFAULT_SETTINGS, SETTINGS_SCHEMA, SETTINGS_SECTION, type SettingsSectionName } from '../../src/shared/settings.js';
import { repoRoot } from '../helpers/paths.js';

/**
 * package.json's `contributes.configuration` is what VS Code shows and checks; SETTINGS_SCHEMA
 * (src/shared/settings.ts) is what Hearth reads with. Here the two are held against each other, setting
 * by setting: the same keys, types, defaults, bounds, choices and scopes, and each bound and choice
 * the manifest declares is enforced when a value breaks it, through the same parse the server (or,
 * for escalation, the extension) uses.
 */

interface ManifestProperty {
	type: string;
	default: unknown;
	scope?: string;
	minimum?: number;
	maximum?: number;
	enum?: string[];
	items?: { type: string };
	properties?: Record<string, { type: string; minimum?: number }>;
	additionalProperties?: boolean | { type: string };
	order?: number;
}

interface ManifestCategory {
	id: string;
	title: string;
	order: number;
	properties: Record<string, ManifestProperty>;
}

const manifestText = readFileSync(path.join(repoRoot, 'package.json'), 'utf8');
const manifest = JSON.parse(manifestText) as { contributes: { configuration: ManifestCategory[] } };
/** Every setting, from all of the manifest's categories (Completions, Models, …). */
const declared: Record<string, ManifestProperty> = Object.assign(
	{},
	...manifest.contributes.configuration.map((category) => category.properties),
);
const SECTIONS = Object.keys(SETTINGS_SCHEMA) as SettingsSectionName[];

/** `hearth.<section>.<key>` for every rule in the schema. */
const schemaKeys = SECTIONS.flatMap((section) =>
	Object.keys(SETTINGS_SCHEMA[section]).map((key) => `${SETTINGS_SECTION}.${section}.${key}`),
);

function ruleOf(name: string): { section: SettingsSectionName; key: string; rule: SettingRule<unknown> } {
	const [, section, key] = name.split('.') as [string, SettingsSectionName, string];
	const rule = (SETTINGS_SCHEMA[section] as Record<string, SettingRule<unknown>>)[key]!;
	return { section, key, rule };
}

/**
 * What Hearth makes of `value` given for one setting, through the parse that reads that section in
 * the product: the server's for the completion sections, the extension's for escalation. Tracing is
 * read by vscode-languageclient itself, so its rule is applied directly.
 */
function parseOne(name: string, value: unknown): { value: unknown; problems: string[] } {
	const { section, key } = ruleOf(name);
	const raw = { [key]: value };
	if (section === 'escalation') {
		const parsed = parseEscalationSettings(raw);
		return { value: parsed.settings[key as keyof typeof parsed.settings], problems: parsed.problems };
	}
	if (section === 'trace') {
		const problems: string[] = [];
		return { value: readSection(section, SETTINGS_SCHEMA.trace, raw, problems)[key as 'server'], problems };
	}
	const parsed = parseSettings({ [section]: raw });
	return { value: (parsed.settings[section] as Record<string, unknown>)[key], problems: parsed.problems };
}

/** The value is refused (default used) or clamped to `bound`, and the log line names the setting and the value. */
function assertRefusedOrClamped(name: string, value: unknown, bound?: number): void {
	const parsed = parseOne(name, value);
	const fallback = declared[name]!.default;
	assert.ok(
		JSON.stringify(parsed.value) === JSON.stringify(fallback) || (bound !== undefined && parsed.value === bound),
		`${name} = ${JSON.stringify(value)} was used as ${JSON.stringify(parsed.value)}`,
	);
	assert.equal(parsed.problems.length, 1, `${name} = ${JSON.stringify(value)}: ${JSON.stringify(parsed.problems)}`);
	assert.ok(parsed.problems[0]!.startsWith(`Setting ${name} has an invalid value ${JSON.stringify(value)}; using `), parsed.problems[0]);
}

function assertAccepted(name: string, value: unknown, expected: unknown = value): void {
	assert.deepEqual(parseOne(name, value), { value: expected, problems: [] }, `${name} = ${JSON.stringify(value)}`);
}

describe('settings schema: package.json against SETTINGS_SCHEMA', function () {
	it('declares exactly the settings the schema has, all under "hearth."', function () {
		const manifestKeys = Object.keys(declared);
		assert.deepEqual(
			manifestKeys.filter((key) => !schemaKeys.includes(key)),
			[],
			'in package.json but not in SETTINGS_SCHEMA',
		);
		assert.deepEqual(
			schemaKeys.filter((key) => !manifestKeys.includes(key)),
			[],
			'in SETTINGS_SCHEMA but not in package.json',
		);
	});

	it("gives each setting the schema's type, default, scope, bounds and choices", function () {
		for (const name of schemaKeys) {
			const property = declared[name]!;
			const { rule } = ruleOf(name);
			assert.equal(property.type, rule.type, `${name}: type`);
			assert.deepEqual(property.default, rule.default, `${name}: default`);
			assert.equal(property.scope ?? 'window', rule.scope, `${name}: scope`);
			assert.equal(property.minimum, rule.minimum, `${name}: minimum`);
			assert.equal(property.maximum, rule.maximum, `${name}: maximum`);
			assert.deepEqual(property.enum, rule.enum, `${name}: enum`);
			assert.deepEqual(property.properties, rule.properties, `${name}: properties`);
			if (rule.type === 'array') {
				assert.deepEqual(property.items, { type: 'string' }, `${name}: items`);
			}
			if (rule.type === 'object') {
				assert.deepEqual(property.additionalProperties, rule.additionalProperties ?? false, `${name}: additionalProperties`);
			}
		}
	});

	it("parses each manifest default to itself, and an unset setting to the manifest's default", function () {
		for (const name of Object.keys(declared)) {
			const fallback = declared[name]!.default;
			assertAccepted(name, fallback);
			assert.deepEqual(parseOne(name, undefined), { value: fallback, problems: [] }, `${name} unset`);
			const { section, key } = ruleOf(name);
			if (section in DEFAULT_SETTINGS) {
				assert.deepEqual(
					(DEFAULT_SETTINGS[section as keyof typeof DEFAULT_SETTINGS] as Record<string, unknown>)[key],
					fallback,
					`DEFAULT_SETTINGS for ${name}`,
				);
			}
		}
		assert.deepEqual(parseEscalationSettings(undefined).problems, []);
	});

	it('refuses a value of the wrong type for every setting', function () {
		const wrongKind: Record<string, unknown[]> = {
			string: [42, true, ['a']],
			boolean: ['yes', 1],
			integer: ['64', 2.5, Number.NaN, true],
			array: ['secrets/**', { 0: 'a' }],
			object: ['cheap', 3, ['input', 'output']],
		};
		for (const [name, property] of Object.entries(declared)) {
			const values = wrongKind[property.type];
			assert.ok(values, `${name}: no wrong values known for type ${property.type}`);
			for (const value of values) {
				assertRefusedOrClamped(name, value);
			}
		}
	});

	it('enforces every minimum and maximum the manifest declares, and accepts the bounds themselves', function () {
		let checked = 0;
		for (const [name, property] of Object.entries(declared)) {
			if (property.minimum !== undefined) {
				assertAccepted(name, property.minimum);
				assertRefusedOrClamped(name, property.minimum - 1, property.minimum);
				checked++;
			}
			if (property.maximum !== undefined) {
				assertAccepted(name, property.maximum);
				assertRefusedOrClamped(name, property.maximum + 1, property.maximum);
				checked++;
			}
		}
		assert.ok(checked >= 20, `only ${checked} bounds found in package.json`);
	});

	it('enforces every enum the manifest declares', function () {
		for (const [name, property] of Object.entries(declared)) {
			for (const option of property.enum ?? []) {
				assertAccepted(name, option);
			}
			if (property.enum) {
				assertRefusedOrClamped(name, `not-${property.enum[0]}`);
				assertRefusedOrClamped(name, property.enum[0]!.toUpperCase());
			}
		}
	});

	it("enforces an object setting's fields: their minimums, and no others", function () {
		for (const [name, property] of Object.entries(declared)) {
			if (!property.properties) {
				continue;
			}
			const fields = Object.entries(property.properties);
			const atMinimum = Object.fromEntries(fields.map(([field, schema]) => [field, schema.minimum ?? 1]));
			assertAccepted(name, atMinimum);
			for (const [field, schema] of fields) {
				if (schema.minimum !== undefined) {
					assertRefusedOrClamped(name, { ...atMinimum, [field]: schema.minimum - 1 });
				}
				assertRefusedOrClamped(name, { ...atMinimum, [field]: 'free' });
			}
			if (property.additionalProperties === false) {
				assertRefusedOrClamped(name, { ...atMinimum, currency: 1 });
			}
		}
	});

	it('keeps the string entries of a list setting and reports the others', function () {
		for (const [name, property] of Object.entries(declared)) {
			if (property.type !== 'array') {
				continue;
			}
			assertAccepted(name, ['secrets/**', '*.pem']);
			const parsed = parseOne(name, ['secrets/**', 5, null]);
			assert.deepEqual(parsed.value, ['secrets/**'], name);
			assert.deepEqual(parsed.problems, [`Setting ${name} has an invalid value ["secrets/**",5,null]; using ["secrets/**"].`]);
		}
	});

	it('groups the settings into Completions, Models, Performance, Escalation and Privacy, each setting once and in order', function () {
		const categories = manifest.contributes.configuration;
		assert.deepEqual(
			categories.map((category) => [category.title, category.order]),
			[
				['Completions', 1],
				['Models', 2],
				['Performance', 3],
				['Escalation', 4],
				['Privacy', 5],
			],
		);
		const keys = categories.flatMap((category) => Object.keys(category.properties));
		assert.equal(new Set(keys).size, keys.length, 'no setting in two categories');
		for (const category of categories) {
			const orders = Object.values(category.properties).map((property) => property.order);
			assert.deepEqual(
				orders,
				orders.map((_, index) => index + 1),
				`${category.title}: every setting has its place (order 1, 2, …)`,
			);
		}
		// The frontier model's settings never come before the completions'.
		assert.ok(Object.keys(categories[0]!.properties).every((key) => key.startsWith('hearth.inlineCompletion.')));
	});

	it('names no setting anywhere (source, package.json, README) that package.json lacks', function () {
		const sections = SECTIONS.join('|');
		const mention = new RegExp(`\\b${SETTINGS_SECTION}\\.(?:${sections})\\.[A-Za-z]+\\b`, 'g');
		// Section-relative keys read or written through vscode.workspace.getConfiguration('hearth').
		const accessed = new RegExp(`\\.(?:get|update|inspect)(?:<[^>]*>)?\\(\\s*['"\`]((?:${sections})\\.[A-Za-z]+)['"\`]`, 'g');
		const stringLiteral = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g;
		const unknown: string[] = [];
		const check = (file: string, text: string) => {
			for (const name of text.match(mention) ?? []) {
				if (!(name in declared)) {
					unknown.push(`${file}: ${name}`);
				}
			}
		};
		const sourceFiles = readdirSync(path.join(repoRoot, 'src'), { recursive: true, encoding: 'utf8' }).filter((file) =>
			file.endsWith('.ts'),
		);
		assert.ok(sourceFiles.length > 50, `only ${sourceFiles.length} source files found`);
		for (const file of sourceFiles) {
			const text = readFileSync(path.join(repoRoot, 'src', file), 'utf8');
			// In source, only text in strings: `hearth.model.path` may also be a property path on a variable.
			check(`src/${file}`, (text.match(stringLiteral) ?? []).join('\n'));
			for (const [, key] of text.matchAll(accessed)) {
				if (!(`${SETTINGS_SECTION}.${key}` in declared)) {
					unknown.push(`src/${file}: configuration key ${key}`);
				}
			}
		}
		check('package.json', manifestText);
		check('README.md', readFileSync(path.join(repoRoot, 'README.md'), 'utf8'));
		assert.deepEqual(unknown, [], 'settings named but not declared in package.json');
	});
});
