/**
 * The document the language-server tests complete in: two small functions, the second one's body
 * empty, so a model has something to write and no cache can have the answer yet.
 */
export const MATH_SOURCE = [
	'export function add(a: number, b: number): number {',
	'\treturn a + b;',
	'}',
	'',
	'export function multiply(a: number, b: number): number {',
	'\t',
	'}',
	'',
].join('\n');

/** Inside multiply(), after the tab: the tiny model always has something to say here. */
export const MATH_CURSOR = { line: 5, character: 1 };
