/**
 * A rewrite of a selection, given the selection's own layout at its edges: its blank lines at the
 * start, its trailing line breaks (and the indentation after them) or their absence, and its line
 * endings, so that accepting the rewrite adds or drops no line break. Both the server (local
 * answers) and the extension (frontier answers) fit rewrites this way, so it lives here, in the one
 * layer both may import.
 */
export function withOriginalLayout(code: string, original: string): string {
	const originalLf = original.replace(/\r\n?/g, '\n');
	const leading = /^(?:[ \t]*\n)*/.exec(originalLf)![0];
	const trailing = /(?:\n[ \t]*)*$/.exec(originalLf.slice(leading.length))![0];
	const body = code
		.replace(/\r\n?/g, '\n')
		.replace(/^(?:[ \t]*\n)+/, '')
		.replace(/(?:\n[ \t]*)+$/, '');
	const result = leading + body + trailing;
	return original.includes('\r\n') ? result.replace(/\n/g, '\r\n') : result;
}
