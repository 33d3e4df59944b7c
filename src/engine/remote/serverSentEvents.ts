/**
 * Reads a `text/event-stream` body and yields each event's data (multi-line data joined with "\n"),
 * as OpenAI-compatible servers stream completions. Comments and other fields are skipped. A body that
 * ends inside an event yields nothing for it: a half-received JSON chunk is not data.
 */
export async function* serverSentEventData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
	const decoder = new TextDecoder();
	let buffer = '';
	let data: string[] = [];
	for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) {
		buffer += decoder.decode(bytes, { stream: true });
		let newline: number;
		while ((newline = buffer.search(/\r\n|\r|\n/)) !== -1) {
			if (newline === buffer.length - 1 && buffer.endsWith('\r')) {
				break; // the "\n" of a "\r\n" may be in the next chunk
			}
			const line = buffer.slice(0, newline);
			buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
			if (line === '') {
				if (data.length > 0) {
					yield data.join('\n');
					data = [];
				}
			} else if (line.startsWith('data:')) {
				data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
			}
		}
	}
}
