import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import type { Logger } from '../logger.js';
import { isAbortedDecodeLog } from './decodeAbort.js';

export type GpuPreference = 'auto' | 'off';

let pending: Promise<Llama> | undefined;
let pendingPreference: GpuPreference | undefined;

/**
 * One llama.cpp binding per process. `build: 'never'` because compiling llama.cpp or downloading a
 * binary at run time cannot work offline: only the prebuilt binaries shipped in npm packages are used
 * (Hearth's decode abort attaches to them: src/engine/runtime/decodeAbort.ts).
 */
export function getLlamaInstance(preference: GpuPreference, logger: Logger): Promise<Llama> {
	if (pending && pendingPreference === preference) {
		return pending;
	}
	pendingPreference = preference;
	pending = getLlama({
		gpu: preference === 'off' ? false : 'auto',
		build: 'never',
		logLevel: LlamaLogLevel.warn,
		logger: (level, message) => {
			const text = message.trimEnd();
			if (!text) {
				return;
			}
			if ((level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) && !isAbortedDecodeLog(text)) {
				logger.error(`llama.cpp: ${text}`);
			} else {
				logger.debug(`llama.cpp: ${text}`);
			}
		},
	});
	pending.catch(() => {
		pending = undefined;
	});
	return pending;
}
