// The entry VS Code calls to run the in-editor tests: mocha in TDD style, every *.test file here.
import Mocha from 'mocha';
import { defineExtensionTests } from './extension.test.js';

export function run(): Promise<void> {
	const mocha = new Mocha({ ui: 'tdd', color: true, timeout: 60_000, forbidOnly: Boolean(process.env.CI) });
	mocha.suite.emit('pre-require', globalThis, 'hearth', mocha);
	defineExtensionTests();
	return new Promise((resolve, reject) => {
		mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} in-editor test(s) failed`)) : resolve()));
	});
}
