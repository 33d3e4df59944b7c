import assert from 'node:assert/strict';
import {
	compileGlob,
	DEFAULT_ESCALATION_EXCLUSIONS,
	excludingPattern,
	HEARTH_IGNORE_FILE,
	isExcludedFromEscalation,
	parseIgnoreFile,
} from '../../src/extension/escalation/exclusion/index.js';

/** Which of `paths` the ignore-file text excludes. */
function excludedBy(ignoreFileText: string, paths: readonly string[]): string[] {
	const rules = parseIgnoreFile(ignoreFileText);
	return paths.filter((path) => excludingPattern(rules, path) !== undefined);
}

function excluded(relativePath: string, userGlobs: string[] = [], ignoreFileText?: string): boolean {
	return isExcludedFromEscalation(relativePath, { userGlobs, ignoreFileText }).excluded;
}

describe('escalation exclusion: glob patterns', function () {
	it('matches a pattern without a slash at any depth, and a directory it names with everything inside', function () {
		assert.deepEqual(excludedBy('*.log', ['a.log', 'deep/down/b.log', 'a.logs', 'logs.log/inner.txt', 'alog']), [
			'a.log',
			'deep/down/b.log',
			'logs.log/inner.txt',
		]);
		assert.deepEqual(excludedBy('build', ['build', 'build/out.js', 'src/build/out.js', 'builder/x.js']), [
			'build',
			'build/out.js',
			'src/build/out.js',
		]);
	});

	it('anchors a pattern with a leading or inner slash at the root', function () {
		assert.deepEqual(excludedBy('/build', ['build/out.js', 'src/build/out.js']), ['build/out.js']);
		assert.deepEqual(excludedBy('doc/*.txt', ['doc/a.txt', 'doc/sub/a.txt', 'x/doc/a.txt']), ['doc/a.txt']);
	});

	it("never lets '*' or '?' cross a '/', but '**' spans directories", function () {
		assert.deepEqual(excludedBy('src/*.ts', ['src/a.ts', 'src/lib/a.ts']), ['src/a.ts']);
		assert.deepEqual(excludedBy('file?.txt', ['file1.txt', 'file12.txt', 'file/.txt']), ['file1.txt']);
		assert.deepEqual(excludedBy('**/fixtures', ['fixtures/a', 'test/unit/fixtures/a', 'fixturesx/a']), [
			'fixtures/a',
			'test/unit/fixtures/a',
		]);
		assert.deepEqual(excludedBy('vault/**', ['vault/a', 'vault/b/c.txt', 'vault']), ['vault/a', 'vault/b/c.txt']);
		assert.deepEqual(excludedBy('a/**/b.txt', ['a/b.txt', 'a/x/b.txt', 'a/x/y/b.txt', 'c/a/b.txt']), [
			'a/b.txt',
			'a/x/b.txt',
			'a/x/y/b.txt',
		]);
		assert.deepEqual(excludedBy('a**b', ['axxb', 'a/b']), ['axxb']);
	});

	it('supports {a,b} alternatives, nested, and keeps a lone {a} literal', function () {
		assert.deepEqual(excludedBy('*.{pem,crt}', ['a.pem', 'b.crt', 'c.key']), ['a.pem', 'b.crt']);
		assert.deepEqual(
			excludedBy('conf/{dev,prod/{eu,us}}.json', ['conf/dev.json', 'conf/prod/eu.json', 'conf/prod/us.json', 'conf/prod.json']),
			['conf/dev.json', 'conf/prod/eu.json', 'conf/prod/us.json'],
		);
		assert.deepEqual(excludedBy('{a}.txt', ['{a}.txt', 'a.txt']), ['{a}.txt']);
	});

	it('supports character classes, ranges and their negation, never matching a slash', function () {
		assert.deepEqual(excludedBy('log[0-9].txt', ['log1.txt', 'loga.txt']), ['log1.txt']);
		assert.deepEqual(excludedBy('log[!0-9].txt', ['log1.txt', 'loga.txt']), ['loga.txt']);
		assert.deepEqual(excludedBy('log[^0-9].txt', ['log1.txt', 'loga.txt']), ['loga.txt']);
		assert.deepEqual(excludedBy('a[/]b', ['a/b']), []);
		assert.deepEqual(excludedBy('a[!x]b', ['a/b']), []);
		assert.deepEqual(excludedBy('[unterminated', ['[unterminated']), ['[unterminated']);
	});

	it("matches a trailing-'/' pattern only against directories", function () {
		assert.deepEqual(excludedBy('secrets/', ['secrets', 'secrets/a.txt', 'app/secrets/b.txt']), ['secrets/a.txt', 'app/secrets/b.txt']);
	});

	it("re-includes with '!', the last matching pattern deciding, but not inside an excluded directory", function () {
		assert.deepEqual(excludedBy('*.secret\n!public.secret', ['a.secret', 'public.secret', 'x/public.secret']), ['a.secret']);
		assert.deepEqual(excludedBy('!public.secret\n*.secret', ['public.secret']), ['public.secret']);
		assert.deepEqual(excludedBy('private/\n!private/ok.txt', ['private/ok.txt']), ['private/ok.txt']);
		assert.deepEqual(excludedBy('private/*\n!private/ok.txt', ['private/ok.txt', 'private/no.txt']), ['private/no.txt']);
	});

	it('skips comments and blank lines, trims trailing blanks and honours escapes and CRLF', function () {
		const text = '# a comment\r\n\r\n   \r\n\\#hash.txt\r\n\\!bang.txt\r\ntrailing.txt   \r\nspace\\ \r\n';
		assert.deepEqual(excludedBy(text, ['# a comment', '#hash.txt', '!bang.txt', 'trailing.txt', 'space ', 'space']), [
			'#hash.txt',
			'!bang.txt',
			'trailing.txt',
			'space ',
		]);
		assert.equal(compileGlob('# comment'), undefined);
		assert.equal(compileGlob('   '), undefined);
	});

	it('is case-sensitive unless asked not to be', function () {
		assert.equal(compileGlob('*.LOG')!.regex.test('a.log'), false);
		assert.equal(compileGlob('*.LOG', { ignoreCase: true })!.regex.test('a.log'), true);
	});
});

describe('escalation exclusion: isExcludedFromEscalation', function () {
	it('names the ignore file .hearthignore', function () {
		assert.equal(HEARTH_IGNORE_FILE, '.hearthignore');
	});

	it('always excludes obviously secret files, with no globs at all', function () {
		const secretFiles = [
			'.env',
			'api/.env',
			'.env.local',
			'.env.production',
			'config/.env.development.local',
			'.ENV',
			'certs/server.pem',
			'tls.key',
			'home/.ssh/id_rsa',
			'id_rsa.pub',
			'keystore.p12',
			'signing.pfx',
			'.pypirc',
			'.netrc',
			'gcp/credentials.json',
			'secrets.yaml',
			'deploy/secrets.env.json',
			'private/server.pem/readme.txt',
		];
		assert.deepEqual(
			secretFiles.filter((path) => !excluded(path)),
			[],
		);
	});

	it('does not exclude .env templates or ordinary files', function () {
		const ordinary = [
			'.env.example',
			'app/.env.sample',
			'.env.template',
			'src/env.ts',
			'environment.ts',
			'keys.ts',
			'key.ts.map',
			'credentials.ts',
			'docs/secrets.md/x',
			'README.md',
			'.envrc',
		];
		assert.deepEqual(
			ordinary.filter((path) => excluded(path)),
			['docs/secrets.md/x'], // a directory named like a secret file is excluded with what it holds, as in git
		);
	});

	// One case per entry added for issue 15: each excluded at any depth, its look-alikes not.
	const credentialStores: [string, string[], string[]][] = [
		[
			'ed25519 and other SSH private keys',
			['home/.ssh/id_ed25519', 'id_ed25519.pub', 'deploy/id_ecdsa', 'id_ecdsa_sk', 'keys/id_dsa', 'putty/server.ppk'],
			['src/ed25519.ts', 'docs/ssh.md', 'known_hosts'],
		],
		['AWS credentials', ['.aws/credentials', 'home/me/.aws/credentials'], ['aws/credentials.ts', '.aws/config', 'src/credentials']],
		[
			'Terraform variables and state',
			[
				'terraform.tfvars',
				'envs/prod/secrets.auto.tfvars',
				'prod.tfvars.json',
				'terraform.tfstate',
				'infra/terraform.tfstate.backup',
			],
			['variables.tf', 'main.tf', 'tfvars.md'],
		],
		['kubeconfig', ['.kube/config', 'home/me/.kube/config'], ['kube/config', 'src/config', '.kube/cache/discovery.json']],
		[
			'Docker credentials',
			['.docker/config.json', 'ci/home/.docker/config.json'],
			['docker/config.json', 'config.json', '.docker/daemon.json'],
		],
		['git credential store', ['.git-credentials', 'home/me/.git-credentials'], ['.gitconfig', 'git-credentials.md']],
		['netrc', ['.netrc', 'home/me/_netrc'], ['netrc.py', '.netrc.md']],
	];
	for (const [what, excludedPaths, keptPaths] of credentialStores) {
		it(`always excludes ${what}, and not what only looks like it`, function () {
			assert.deepEqual(
				excludedPaths.filter((path) => !excluded(path)),
				[],
			);
			assert.deepEqual(
				keptPaths.filter((path) => excluded(path)),
				[],
			);
		});
	}

	it('excludes an .npmrc or .yarnrc.yml only when it holds a literal auth token, and says why', function () {
		const check = (path: string, fileText?: string) => isExcludedFromEscalation(path, { userGlobs: [], fileText });
		const withToken =
			'registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=npm_b7Qm2xK9vL4pW8zR3tY6nB1cF5hJ0dG2sA4e\n';
		assert.deepEqual(check('.npmrc', withToken), {
			excluded: true,
			reason: '.npmrc holds an auth token (_authToken, _auth or _password)',
		});
		assert.equal(check('packages/web/.npmrc', '_auth = "dXNlcjpwYXNzd29yZA=="\n').excluded, true);
		assert.equal(check('.npmrc', 'registry=https://registry.npmjs.org/\nsave-exact=true\n').excluded, false);
		assert.equal(
			check('.npmrc', '//npm.pkg.github.com/:_authToken=${NODE_AUTH_TOKEN}\n').excluded,
			false,
			'a reference to the environment is no secret',
		);
		assert.equal(check('.npmrc', '# _authToken=\n').excluded, false);
		assert.match(check('.npmrc').reason!, /may hold an auth token/, 'without its text, the file is not sent');
		assert.equal(
			check('.yarnrc.yml', 'npmRegistryServer: "https://npm.example.com"\nnpmAuthToken: "7f3c9a1e-0b2d-4e8f-a6c5-1d9e2b7f4a3c"\n')
				.excluded,
			true,
		);
		assert.equal(check('.yarnrc.yml', 'nodeLinker: node-modules\n').excluded, false);
		assert.equal(check('src/npmrc.ts', withToken).excluded, false, 'only files of that name are checked');
	});

	it('exports the built-in list, negations included, for settings to show', function () {
		assert.ok(DEFAULT_ESCALATION_EXCLUSIONS.includes('.env'));
		assert.ok(DEFAULT_ESCALATION_EXCLUSIONS.includes('!.env.example'));
		assert.ok(DEFAULT_ESCALATION_EXCLUSIONS.length >= 15);
	});

	it('excludes what the user globs or the ignore file exclude, and says which pattern did', function () {
		assert.deepEqual(isExcludedFromEscalation('src/billing/keys.ts', { userGlobs: ['src/billing/**'] }), {
			excluded: true,
			reason: 'src/billing/keys.ts matches "src/billing/**" in the exclusion globs in settings',
		});
		assert.deepEqual(isExcludedFromEscalation('vendor/lib/a.js', { userGlobs: [], ignoreFileText: '# third party\nvendor/\n' }), {
			excluded: true,
			reason: 'vendor/lib/a.js matches "vendor/" in .hearthignore (line 2)',
		});
		assert.match(
			isExcludedFromEscalation('.env.local', { userGlobs: [] }).reason!,
			/matches "\.env\.\*" in the built-in list of secret files/,
		);
		assert.deepEqual(isExcludedFromEscalation('src/app.ts', { userGlobs: ['*.md'], ignoreFileText: 'dist/' }), { excluded: false });
	});

	it("lets no source's '!' re-include what another source excluded", function () {
		assert.equal(excluded('.env', ['!.env'], '!.env\n!**'), true);
		assert.equal(excluded('src/internal/a.ts', ['src/internal/'], '!src/internal/a.ts'), true);
		assert.equal(
			excluded('src/internal/a.ts', [], 'src/internal/*\n!src/internal/a.ts'),
			false,
			'within one source, the last match decides',
		);
	});

	it('normalises Windows separators, ./ and leading slashes, and matches case-insensitively when asked', function () {
		assert.equal(excluded('src\\secret\\a.ts', ['src/secret/']), true);
		assert.equal(excluded('./build/out.js', ['/build']), true);
		assert.equal(excluded('/build/out.js', ['/build']), true);
		assert.equal(excluded('', ['**']), false);
		assert.equal(isExcludedFromEscalation('Build/Out.js', { userGlobs: ['/build'], ignoreCase: true }).excluded, true);
		assert.equal(isExcludedFromEscalation('Build/Out.js', { userGlobs: ['/build'] }).excluded, false);
	});
});
