/**
 * Where generated text meets a stop string. `stopAt`: the index of the first stop string, if any.
 * `safeLength`: how much of the text can be streamed now, holding back an end that may be the start
 * of a stop string (once sent, text cannot be taken back).
 */
export function scanStops(text: string, stops: readonly string[]): { stopAt?: number; safeLength: number } {
	let stopAt: number | undefined;
	for (const stop of stops) {
		const index = text.indexOf(stop);
		if (index !== -1 && (stopAt === undefined || index < stopAt)) {
			stopAt = index;
		}
	}
	if (stopAt !== undefined) {
		return { stopAt, safeLength: stopAt };
	}
	let held = 0;
	for (const stop of stops) {
		for (let length = Math.min(stop.length - 1, text.length); length > held; length--) {
			if (text.endsWith(stop.slice(0, length))) {
				held = length;
				break;
			}
		}
	}
	return { safeLength: text.length - held };
}
