import type { CompletionBackend } from '../engine/runtime/completionBackend.js';
import type { StopReason } from '../engine/runtime/completionEngine.js';
import type { AdmissionGate } from './admissionGate.js';
import { responseId, unixSeconds, usageOf, type Exchange, type GenerationReport } from './exchange.js';
import { sendJson, tooManyRequests } from './openAiErrors.js';
import {
	includeUsageInStream,
	optionalNumber,
	optionalPositiveInteger,
	optionalString,
	promptText,
	rejectSeveralChoices,
	stopStrings,
} from './requestFields.js';
import { SseStream } from './sse.js';
import { scanStops } from './stopScan.js';

/** OpenAI's default for /completions. */
const DEFAULT_MAX_TOKENS = 16;

/**
 * POST /v1/completions: fill-in-the-middle as llama-server, Ollama and vLLM offer it, `prompt` being
 * the text before the cursor and `suffix` the text after. The completion engine lays out the model's
 * own FIM template and post-processes the answer (it ends where the inserted code should end), so a
 * streamed answer carries only text that will not change. Decoding is greedy: `temperature` is
 * accepted and ignored, as the engine's answers are meant to be reproducible.
 */
export async function serveCompletions(
	exchange: Exchange,
	backend: CompletionBackend,
	gate: AdmissionGate,
	body: Record<string, unknown>,
): Promise<GenerationReport> {
	const prompt = promptText(body);
	const suffix = optionalString(body, 'suffix') ?? '';
	const maxTokens = optionalPositiveInteger(body, 'max_tokens') ?? DEFAULT_MAX_TOKENS;
	optionalNumber(body, 'temperature', 0, 2);
	rejectSeveralChoices(body);
	const stops = stopStrings(body);
	const streamed = body.stream === true;
	const release = gate.tryEnter();
	if (!release) {
		throw tooManyRequests('The server is busy with other completions; retry shortly.');
	}
	try {
		const id = responseId('cmpl');
		const created = unixSeconds();
		const chunk = (text: string, finishReason: 'stop' | 'length' | null) => ({
			id,
			object: 'text_completion',
			created,
			model: exchange.modelId,
			choices: [{ index: 0, text, finish_reason: finishReason, logprobs: null }],
		});
		const stream = streamed ? new SseStream(exchange.response) : undefined;
		// Post-processed text can shrink (a partial line held back): only growth of what was sent is streamed.
		let sent = '';
		const streamUpTo = (text: string) => {
			if (stream && text.length > sent.length && text.startsWith(sent)) {
				stream.send(chunk(text.slice(sent.length), null));
				sent = text;
			}
		};
		const stopped = new AbortController();
		let stoppedText: string | undefined;
		const result = await backend.complete({
			prefix: prompt,
			suffix,
			maxTokens,
			mode: 'multi-line',
			useCache: false,
			signal: AbortSignal.any([exchange.clientGone, stopped.signal]),
			onText: (text) => {
				if (stoppedText !== undefined) {
					return;
				}
				const scan = scanStops(text, stops);
				if (scan.stopAt !== undefined) {
					stoppedText = text.slice(0, scan.stopAt);
					stopped.abort();
				}
				streamUpTo(text.slice(0, scan.safeLength));
			},
		});
		const report = (stopReason: StopReason, finishReason: 'stop' | 'length' | null): GenerationReport => ({
			route: '/v1/completions',
			stream: streamed,
			stopReason,
			finishReason,
			clientDisconnected: exchange.clientGone.aborted,
			promptTokens: result.stats.promptTokens,
			generatedTokens: result.stats.generatedTokens,
		});
		if (exchange.clientGone.aborted) {
			return report(result.stopReason, null);
		}
		const text = stoppedText ?? cutAtStop(result.text, stops);
		const finishReason =
			stoppedText === undefined && (result.stopReason === 'max-tokens' || result.stopReason === 'context-full') ? 'length' : 'stop';
		const usage = usageOf(result.stats.promptTokens, result.stats.generatedTokens);
		if (!stream) {
			sendJson(exchange.response, 200, { ...chunk(text, finishReason), usage });
			return report(result.stopReason, finishReason);
		}
		streamUpTo(text);
		stream.send(chunk('', finishReason));
		if (includeUsageInStream(body)) {
			stream.send({ ...chunk('', null), choices: [], usage });
		}
		stream.done();
		return report(result.stopReason, finishReason);
	} finally {
		release();
	}
}

function cutAtStop(text: string, stops: readonly string[]): string {
	const { stopAt } = scanStops(text, stops);
	return stopAt === undefined ? text : text.slice(0, stopAt);
}
