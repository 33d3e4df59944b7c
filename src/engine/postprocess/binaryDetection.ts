/**
 * Whether a document looks like binary data opened as text. Completing inside such a file is
 * pointless and tokenizing it is expensive, so callers skip it.
 */

const SAMPLE_CHARS = 8192;
/** Share of suspicious characters above which a sample counts as binary. */
const MAX_SUSPICIOUS_RATIO = 0.1;

// Controls that real text files do contain: tab, LF, VT, FF (page breaks), CR.
const TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d]);

export function isProbablyBinary(text: string): boolean {
	const sample = text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) : text;
	if (sample.length === 0) return false;
	if (sample.includes('\u0000')) return true;

	let suspicious = 0;
	for (let i = 0; i < sample.length; i++) {
		const code = sample.charCodeAt(i);
		const isControl = (code < 0x20 && !TEXT_CONTROLS.has(code)) || code === 0x7f;
		// U+FFFD is what undecodable bytes become when binary data is read as UTF-8.
		if (isControl || code === 0xfffd) suspicious++;
	}
	return suspicious / sample.length > MAX_SUSPICIOUS_RATIO;
}
