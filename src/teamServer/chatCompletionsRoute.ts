import type { ChatEngine } from '../engine/chat/chatEngine.js';
import { ChatEngineError } from '../engine/chat/chatEngineError.js';
import type { ChatResult, ChatStopReason } from '../engine/chat/chatTypes.js';
import type { AdmissionGate } from './admissionGate.js';
import { responseId, unixSeconds, usageOf, type Exchange, type GenerationReport } from './exchange.js';
import { badRequest, OpenAiHttpError, sendJson, tooManyRequests } from './openAiErrors.js';
import {
	chatMessages,
	includeUsageInStream,
	optionalNumber,
	optionalPositiveInteger,
	rejectSeveralChoices,
	stopStrings,
} from './requestFields.js';
import { SseStream } from './sse.js';

/** Most tokens of an answer when the request sets none (OpenAI's "until the context is full" could run for minutes on a CPU). */
export const DEFAULT_CHAT_MAX_TOKENS = 1024;

/**
 * POST /v1/chat/completions on the chat engine: the conversation laid out with the model's chat
 * template, the answer whole or streamed as `chat.completion.chunk` deltas.
 */
export async function serveChatCompletions(
	exchange: Exchange,
	chat: ChatEngine,
	gate: AdmissionGate,
	body: Record<string, unknown>,
): Promise<GenerationReport> {
	const messages = chatMessages(body);
	// Newer OpenAI clients send max_completion_tokens; older ones and other servers max_tokens.
	const maxTokens =
		optionalPositiveInteger(body, 'max_completion_tokens') ?? optionalPositiveInteger(body, 'max_tokens') ?? DEFAULT_CHAT_MAX_TOKENS;
	const temperature = optionalNumber(body, 'temperature', 0, 2);
	rejectSeveralChoices(body);
	if (Array.isArray(body.tools) && body.tools.length > 0) {
		throw badRequest('Tools (function calling) are not supported by this server.', 'tools');
	}
	const stop = stopStrings(body);
	const streamed = body.stream === true;
	// Checked before anything is sent, so that it can still be an error status rather than a broken stream.
	const promptTokens = chat.countTokens(messages);
	if (promptTokens >= chat.contextSize - 1) {
		throw contextLengthExceeded(promptTokens, chat.contextSize);
	}
	const release = gate.tryEnter();
	if (!release) {
		throw tooManyRequests('The server is busy with other chat requests; retry shortly.');
	}
	try {
		const id = responseId('chatcmpl');
		const created = unixSeconds();
		const chunk = (delta: Record<string, string>, finishReason: 'stop' | 'length' | null) => ({
			id,
			object: 'chat.completion.chunk',
			created,
			model: exchange.modelId,
			choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
		});
		const stream = streamed ? new SseStream(exchange.response) : undefined;
		stream?.send(chunk({ role: 'assistant', content: '' }, null));
		let result: ChatResult;
		try {
			result = await chat.generate({
				messages,
				maxTokens,
				temperature,
				stop,
				signal: exchange.clientGone,
				onText: (delta) => stream?.send(chunk({ content: delta }, null)),
			});
		} catch (error) {
			const httpError = error instanceof ChatEngineError ? chatEngineHttpError(error) : undefined;
			if (stream && httpError) {
				stream.fail(httpError.body);
				return {
					route: '/v1/chat/completions',
					stream: true,
					stopReason: 'error',
					finishReason: null,
					clientDisconnected: false,
					promptTokens,
					generatedTokens: 0,
				};
			}
			throw httpError ?? error;
		}
		const finishReason = finishReasonOf(result.stopReason);
		const report: GenerationReport = {
			route: '/v1/chat/completions',
			stream: streamed,
			stopReason: result.stopReason,
			finishReason: exchange.clientGone.aborted ? null : finishReason,
			clientDisconnected: exchange.clientGone.aborted,
			promptTokens: result.stats.promptTokens,
			generatedTokens: result.stats.generatedTokens,
		};
		if (exchange.clientGone.aborted) {
			return report;
		}
		const usage = usageOf(result.stats.promptTokens, result.stats.generatedTokens);
		if (!stream) {
			sendJson(exchange.response, 200, {
				id,
				object: 'chat.completion',
				created,
				model: exchange.modelId,
				choices: [{ index: 0, message: { role: 'assistant', content: result.text }, finish_reason: finishReason, logprobs: null }],
				usage,
			});
			return report;
		}
		stream.send(chunk({}, finishReason));
		if (includeUsageInStream(body)) {
			stream.send({ ...chunk({}, null), choices: [], usage });
		}
		stream.done();
		return report;
	} finally {
		release();
	}
}

function finishReasonOf(stopReason: ChatStopReason): 'stop' | 'length' {
	return stopReason === 'max-tokens' || stopReason === 'context-full' ? 'length' : 'stop';
}

/** OpenAI's own answer to a prompt that does not fit: 400 with code context_length_exceeded. */
function contextLengthExceeded(promptTokens: number, contextSize: number): OpenAiHttpError {
	return badRequest(
		`This model's context holds ${contextSize} tokens; the messages take ${promptTokens}, leaving no room for an answer. Shorten the messages.`,
		'messages',
		'context_length_exceeded',
	);
}

function chatEngineHttpError(error: ChatEngineError): OpenAiHttpError {
	switch (error.code) {
		case 'prompt-too-long':
			return contextLengthExceeded(error.details.promptTokens ?? 0, error.details.contextSize ?? 0);
		case 'no-messages':
			return badRequest(error.userMessage, 'messages');
		default:
			return new OpenAiHttpError(503, error.userMessage, 'server_error', 'model_unavailable');
	}
}
