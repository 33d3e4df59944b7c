import assert from 'node:assert/strict';
import { checkProposal } from '../../src/engine/actions/proposalGuard.js';

const METHOD = `\tgetUrlComponents(url: string): UrlComponents {
\t\tconst match = /^(\\w+):\\/\\/([^/]+)(.*)$/.exec(url);
\t\tif (!match) {
\t\t\tthrow new Error(\`not a URL: \${url}\`);
\t\t}
\t\treturn { scheme: match[1], host: match[2], path: match[3] || '/' };
\t}
`;

describe('a rewrite offered only when accepting it cannot obviously harm', () => {
	it('refuses an empty rewrite', () => {
		const verdict = checkProposal(METHOD, '  \n', 'typescript', 'make it clearer');
		assert.equal(verdict.ok, false);
		assert.match(!verdict.ok ? verdict.reason : '', /empty rewrite/);
	});

	it('refuses a rewrite that keeps little of the code unless asked to remove something', () => {
		const stub = '\tgetUrlComponents(url: string) {}\n';
		const refused = checkProposal(METHOD, stub, 'typescript', 'add types');
		assert.equal(refused.ok, false);
		assert.match(!refused.ok ? refused.reason : '', /keeps only \d+ % of the selection's code/);
		assert.deepEqual(checkProposal(METHOD, stub, 'typescript', 'remove the body'), { ok: true });
	});

	it('does not count comments as code kept', () => {
		const commentedOut = METHOD.split('\n')
			.map((line) => `// ${line}`)
			.join('\n');
		assert.equal(checkProposal(METHOD, commentedOut, 'typescript', 'tidy').ok, false);
	});

	it('refuses a rewrite whose brackets no longer balance, ignoring brackets in strings and comments', () => {
		const broken = METHOD.replace("path: match[3] || '/' };", "path: match[3] || '/';");
		const verdict = checkProposal(METHOD, broken, 'typescript');
		assert.equal(verdict.ok, false);
		assert.match(!verdict.ok ? verdict.reason : '', /does not parse/);
		const withBracketsInText = METHOD.replace("'/'", "'(/'").replace('\tgetUrl', '\t// a ( in a comment\n\tgetUrl');
		assert.deepEqual(checkProposal(METHOD, withBracketsInText, 'typescript'), { ok: true });
	});

	it('passes a real rewrite, and leaves a selection that did not parse to begin with alone', () => {
		const rewritten = METHOD.replace('const match', 'const parts').replaceAll('match[', 'parts[').replace('!match', '!parts');
		assert.deepEqual(checkProposal(METHOD, rewritten, 'typescript', 'rename match'), { ok: true });
		assert.deepEqual(checkProposal('if (x) {\n\tfoo(', 'if (x) {\n\tfoo(1', 'typescript'), { ok: true });
	});
});
