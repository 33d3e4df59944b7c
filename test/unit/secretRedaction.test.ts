import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
	detectSecrets,
	redactionPlaceholder,
	redactSecrets,
	SECRET_KINDS,
	type SecretFinding,
} from '../../src/extension/escalation/redaction/index.js';
import { repoRoot } from '../helpers/paths.js';
import { buildCorpus } from './secretCorpus.js';

/**
 * The corpus in test/fixtures/secrets is one file per kind (a few hold related kinds), each secret
 * embedded the way it appears in real code; expected.json lists, per file, every secret in order.
 * All values are generated fakes of the right shape.
 */
const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'secrets');
const EXPECTED: Record<string, { kind: string; value: string }[]> = JSON.parse(
	fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8'),
);

function fixture(name: string): string {
	return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

function spans(findings: readonly SecretFinding[]): { kind: string; start: number; end: number }[] {
	return findings.map(({ kind, start, end }) => ({ kind, start, end }));
}

/** The values found in `text`, as [kind, value] pairs. */
function found(text: string): [string, string][] {
	return detectSecrets(text).map((finding) => [finding.kind, text.slice(finding.start, finding.end)]);
}

describe('secret redaction: the corpus of fake secrets', function () {
	for (const [name, secrets] of Object.entries(EXPECTED)) {
		it(`finds exactly ${secrets.map((secret) => secret.kind).join(', ')} in ${name}, and redacts them`, function () {
			const text = fixture(name);
			const expected = secrets.map(({ kind, value }) => {
				const start = text.indexOf(value);
				assert.ok(start >= 0 && text.indexOf(value, start + 1) === -1, `${kind} occurs exactly once in ${name}`);
				return { kind, start, end: start + value.length };
			});
			const result = redactSecrets(text);
			assert.deepEqual(spans(result.findings), expected);
			// Everything but the values is kept, each value replaced by a placeholder naming its kind.
			let rebuilt = text;
			for (const finding of [...expected].reverse()) {
				rebuilt = rebuilt.slice(0, finding.start) + redactionPlaceholder(finding) + rebuilt.slice(finding.end);
			}
			assert.equal(result.text, rebuilt);
			for (const { value } of secrets) {
				assert.ok(!result.text.includes(value), 'the secret is gone');
			}
		});
	}

	it('covers every kind the rules report (more than 25) here or in the generated corpus, each with a label', function () {
		const generated = buildCorpus().flatMap((file) => detectSecrets(file.text).map((finding) => finding.kind));
		const corpusKinds = new Set([...Object.values(EXPECTED).flatMap((secrets) => secrets.map((secret) => secret.kind)), ...generated]);
		assert.ok(SECRET_KINDS.length >= 25, `${SECRET_KINDS.length} kinds`);
		assert.deepEqual(
			SECRET_KINDS.map((kind) => kind.kind).filter((kind) => !corpusKinds.has(kind)),
			[],
			'every kind has a fixture',
		);
		for (const { kind, label } of SECRET_KINDS) {
			assert.match(kind, /^[a-z0-9]+(?:-[a-z0-9]+)*$/);
			assert.ok(label.length > 0);
		}
		const labels = new Map(SECRET_KINDS.map((kind) => [kind.kind, kind.label]));
		const all = Object.keys(EXPECTED).map(fixture).join('\n');
		for (const finding of detectSecrets(all)) {
			assert.equal(finding.label, labels.get(finding.kind));
		}
	});

	it('reports findings sorted and never overlapping, over the whole corpus at once', function () {
		const all = Object.keys(EXPECTED).map(fixture).join('\n');
		const findings = detectSecrets(all);
		assert.equal(findings.length, Object.values(EXPECTED).flat().length);
		for (let i = 1; i < findings.length; i++) {
			assert.ok(findings[i - 1]!.end <= findings[i]!.start);
		}
	});
});

describe('secret redaction: shape and precedence', function () {
	it('keeps quotes, names and punctuation around the placeholder', function () {
		const source = `const config = { apiKey: "8c1f0e4b9a7d2c5e3f6a", retries: 3 };\nDB_PASSWORD=Tr0ub4dor&3x\n`;
		assert.equal(
			redactSecrets(source).text,
			`const config = { apiKey: "[REDACTED secret-assignment]", retries: 3 };\nDB_PASSWORD=[REDACTED password-assignment]\n`,
		);
	});

	it('reads the value after a secret name in the syntax of each language', function () {
		const cases: [string, string, string][] = [
			['password: str = "Wq7!xK2pL9"', 'password-assignment', 'Wq7!xK2pL9'],
			["const apiKey: string | undefined = 'f3a9c27b81e04d5a9c6e'", 'secret-assignment', 'f3a9c27b81e04d5a9c6e'],
			[
				'fetch(`https://api.example.com/v1/items?api_key=8c1f0e4b9a7d2c5e3f6a&limit=10`)',
				'secret-assignment',
				'8c1f0e4b9a7d2c5e3f6a',
			],
			['"Server=db;Database=widgets;User Id=sa;Password=Xk29!mQzL4;"', 'password-assignment', 'Xk29!mQzL4'],
			['if (password == "Tr0ub4dor3") {', 'password-assignment', 'Tr0ub4dor3'],
			['  client_secret = b"d9F2kL8qW3zX7vB1nM5c"', 'secret-assignment', 'd9F2kL8qW3zX7vB1nM5c'],
			['ENV REGISTRY_PASSWORD=r3g1stry-Pa55', 'password-assignment', 'r3g1stry-Pa55'],
		];
		for (const [line, kind, value] of cases) {
			assert.deepEqual(found(line), [[kind, value]], line);
		}
	});

	it('names the specific kind when a generic rule would also match', function () {
		const jwt = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsImlhdCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtMTIz';
		assert.deepEqual(found(`fetch(url, { headers: { Authorization: 'Bearer ${jwt}' } })`), [['jwt', jwt]]);
		const token = 'ghp_R8m2Kd9QwZ4xV7bN1cL5tY3pH6sJ0fA2gE8u';
		assert.deepEqual(found(`GITHUB_TOKEN=${token}`), [['github-personal-access-token', token]]);
		assert.deepEqual(found(`git clone https://x-access-token:${token}@github.com/acme/widgets.git`), [
			['github-personal-access-token', token],
		]);
	});

	it('redacts only the password of a connection string, also with an unencoded @ in it', function () {
		assert.deepEqual(found('postgresql://app:p@ss-W0rd-9@db.internal:5432/app'), [['connection-string-password', 'p@ss-W0rd-9']]);
		assert.deepEqual(found('redis://:Q2w9Zk4Lm7Xp@cache:6379'), [['connection-string-password', 'Q2w9Zk4Lm7Xp']]);
	});

	it('redacts a private key cut off by the end of the selection up to its last line of key material', function () {
		const body = [
			'MIIEowIBAAKCAQEAq7BFUpkGp3+LQmlQYhbWp2bXcvuMH5cuG6mQ3bh6nE7Ypnt0',
			'x9K1oQw2N5sPz8bV4cR7eT1uY3iO6pA9sD2fG5hJ8kL0zX3cV6bN9mQ1wE4rT7y',
		];
		const cut = `key = """-----BEGIN RSA PRIVATE KEY-----\n${body.join('\n')}\n`;
		const [finding] = detectSecrets(cut);
		assert.equal(finding?.kind, 'private-key');
		assert.equal(cut.slice(finding.start, finding.end), `-----BEGIN RSA PRIVATE KEY-----\n${body.join('\n')}`);
	});

	it('does not take documentation of the PEM format for a key', function () {
		assert.deepEqual(found('// Expects "-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----"'), []);
	});
});

describe('secret redaction: what is not a secret', function () {
	const placeholders = [
		'API_KEY=changeme',
		'DB_PASSWORD=',
		'password: ""',
		'SECRET_KEY=${SECRET_KEY}',
		'api_key = "<your api key>"',
		'token: "{{ .Values.token }}"',
		'apiKey: process.env.OPENAI_API_KEY,',
		'password = os.environ["DB_PASSWORD"]',
		'password = os.getenv("DB_PASSWORD")',
		'"password": "xxxxxxxx"',
		'client_secret = "YOUR_CLIENT_SECRET"',
		'export GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
		'OPENAI_API_KEY="sk-..."',
		'token: ${{ secrets.GITHUB_TOKEN }}',
		'password = "********"',
		'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE',
		'postgres://user:password@localhost:5432/db',
		'https://user:pass@example.com/',
		'Authorization: Bearer $TOKEN',
		'Authorization: `Bearer ${token}`',
	];
	for (const line of placeholders) {
		it(`leaves the placeholder in ${JSON.stringify(line)}`, function () {
			assert.deepEqual(found(line), []);
		});
	}

	const ordinaryCode = [
		'"integrity": "sha512-Q3B0dJ8Vx0OQ0x2vRz0lvjJ0XwOZyqJZ1qKqZ8Xo2v7Yb1yQp5P2r5b6Y7H8kq9Lq2u7M3w4e5r6t7y8u9i0o1p2A==",',
		'const id = "3f2504e0-4f89-41d3-9a2b-0c0d0e0f1a2b";',
		'commit 9fceb02d0ae598e95dc970b74767f19372d61af8',
		'const FIXTURE = "SGVsbG8sIFdvcmxkISBUaGlzIGlzIGEgYmFzZTY0IHRlc3QgZml4dHVyZS4=";',
		'color: #ff8800; background: rgba(12, 34, 56, 0.5);',
		'const createTokenCancellationSourceForRequestHandler = undefined;',
		'const EMAIL = /^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$/;',
		'function a(e,t){return e.password=t.password,e.token=t.token,e}',
		'tokenizer = "gpt2"',
		'max_tokens: 512,',
		'const passwordHash = "$2b$12$KIXQ4S2dC7b1bG0xj8nQ6eKp3yQnC1fJr5rj5Y0q6n1rLZcJ1Hc0K";',
		'tokenUrl: "https://oauth2.googleapis.com/token",',
		'privateKeyPath: "./certs/server.key",',
		'secretName: "widgets-db-credentials",',
		'token_type: "Bearer",',
		'authDomain: "widgets-prod.firebaseapp.com",',
		'passwordField: "#password",',
		'rules: { password: "required|min:8|confirmed" },',
		'const passwordPattern = "^(?=.*[A-Z])(?=.*\\\\d).{8,}$";',
		'"@secretlint/secretlint-rule-1password": "^10.2.2",',
		'  token: CancellationToken',
		'  secret: Uint8Array',
		'password = newPassword',
		'if (password === confirmPassword) {',
		'const accessToken = await getAccessToken(credentials);',
		'logger.info(`token refreshed for ${user.email}`)',
		'const SECRET_ENV_VAR = "OPENAI_API_KEY";',
		'API_KEY_HEADER = "x-api-key"',
		'const url = "http://localhost:3000?next=a@b.example";',
	];
	for (const line of ordinaryCode) {
		it(`finds nothing in ${JSON.stringify(line.length > 70 ? `${line.slice(0, 67)}...` : line)}`, function () {
			assert.deepEqual(found(line), []);
		});
	}
});

/** Files that ship with this repository's dependencies: real code of every style, none of it secret. */
function realSourceSample(): string[] {
	const modules = path.join(repoRoot, 'node_modules');
	const walk = (directory: string, accept: (file: string) => boolean): string[] => {
		if (!fs.existsSync(directory)) {
			return [];
		}
		return fs
			.readdirSync(directory, { withFileTypes: true })
			.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
			.flatMap((entry) => {
				const full = path.join(directory, entry.name);
				return entry.isDirectory() ? walk(full, accept) : accept(full) ? [full] : [];
			});
	};
	const languageServerPackages = fs.existsSync(modules)
		? fs
				.readdirSync(modules)
				.filter((name) => name.startsWith('vscode-languageserver'))
				.sort()
		: [];
	return [
		...walk(path.join(modules, 'typescript', 'lib'), (file) => file.endsWith('.d.ts')),
		...walk(path.join(modules, 'openai', 'src'), (file) => file.endsWith('.ts')),
		...languageServerPackages.flatMap((name) => walk(path.join(modules, name, 'lib'), (file) => file.endsWith('.js'))),
		...walk(path.join(modules, 'node-llama-cpp', 'dist'), (file) => file.endsWith('.js')),
		path.join(repoRoot, 'package-lock.json'),
		...walk(modules, (file) => path.basename(file) === 'package-lock.json'),
	].filter((file) => fs.existsSync(file) && fs.statSync(file).size <= 1_000_000);
}

describe('secret redaction: no false positives in real code', function () {
	it('finds nothing in a sample of the type definitions, sources and lockfiles under node_modules', function () {
		const files = realSourceSample();
		assert.ok(files.length >= 150, `only ${files.length} files to scan`);
		let bytes = 0;
		const findings: string[] = [];
		for (const file of files) {
			const text = fs.readFileSync(file, 'utf8');
			bytes += Buffer.byteLength(text);
			for (const finding of detectSecrets(text)) {
				findings.push(
					`${path.relative(repoRoot, file)}: ${finding.kind} ${JSON.stringify(text.slice(finding.start, finding.end))}`,
				);
			}
		}
		assert.ok(bytes > 1_000_000, `only ${bytes} bytes scanned`);
		assert.deepEqual(findings, []);
	});
});

describe('secret redaction: speed', function () {
	const MEGABYTE = 1 << 20;
	const toMegabyte = (unit: string): string => unit.repeat(Math.ceil(MEGABYTE / unit.length)).slice(0, MEGABYTE);
	const corpus = Object.keys(EXPECTED).map(fixture).join('\n');
	const inputs: [string, string][] = [
		['the corpus of secrets, repeated', toMegabyte(corpus)],
		['real code', toMegabyte(fs.readFileSync(path.join(repoRoot, 'node_modules', 'typescript', 'lib', 'lib.es5.d.ts'), 'utf8'))],
		['one base64 line', toMegabyte('QmFzZTY0IGZpeHR1cmUgZm9yIHRoZSBzcGVlZCB0ZXN0OyBub3QgYSBzZWNyZXQu')],
		['names without values', toMegabyte('password=')],
		['type annotations that never end', toMegabyte('token: a<')],
		['headers without END', toMegabyte('-----BEGIN PRIVATE KEY-----\n')],
		['provider names without keys', toMegabyte('heroku_aws_secret_access_key')],
		['an Authorization header without a token', `Authorization:${' '.repeat(MEGABYTE)}`],
	];
	for (const [name, text] of inputs) {
		// Catastrophic backtracking takes minutes on a megabyte; linear scanning about a second on a busy
		// machine. The timeout is only a safety limit: speed itself belongs to the bench, not to a test.
		it(`redacts 1 MB of ${name} without catastrophic backtracking`, function () {
			this.timeout(30_000);
			assert.equal(typeof redactSecrets(text).text, 'string');
		});
	}
});
