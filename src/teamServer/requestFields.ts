import type { ChatMessage } from '../engine/chat/chatTypes.js';
import { badRequest } from './openAiErrors.js';

/** Reading the OpenAI request fields Hearth understands, each wrong one a 400 that names it. */

export function optionalPositiveInteger(body: Record<string, unknown>, name: string): number | undefined {
	const value = body[name];
	if (value === undefined || value === null) {
		return undefined;
	}
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
		throw badRequest(`\`${name}\` must be a positive integer.`, name);
	}
	return value;
}

export function optionalNumber(body: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
	const value = body[name];
	if (value === undefined || value === null) {
		return undefined;
	}
	if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
		throw badRequest(`\`${name}\` must be a number from ${min} to ${max}.`, name);
	}
	return value;
}

export function optionalString(body: Record<string, unknown>, name: string): string | undefined {
	const value = body[name];
	if (value === undefined || value === null) {
		return undefined;
	}
	if (typeof value !== 'string') {
		throw badRequest(`\`${name}\` must be a string.`, name);
	}
	return value;
}

/** `stop`: a string or up to four strings, as OpenAI allows. */
export function stopStrings(body: Record<string, unknown>): string[] {
	const value = body.stop;
	if (value === undefined || value === null) {
		return [];
	}
	const list = typeof value === 'string' ? [value] : value;
	if (!Array.isArray(list) || list.length > 4 || !list.every((item) => typeof item === 'string')) {
		throw badRequest('`stop` must be a string or an array of up to 4 strings.', 'stop');
	}
	return list.filter((item) => item !== '');
}

/** `n` other than 1 asks for several answers: one model run at a time does not offer that. */
export function rejectSeveralChoices(body: Record<string, unknown>): void {
	if (body.n !== undefined && body.n !== null && body.n !== 1) {
		throw badRequest('Only `n: 1` is supported.', 'n');
	}
}

export function includeUsageInStream(body: Record<string, unknown>): boolean {
	const options = body.stream_options;
	return typeof options === 'object' && options !== null && (options as { include_usage?: unknown }).include_usage === true;
}

/** `/completions`' `prompt`: one string (or an array holding one). */
export function promptText(body: Record<string, unknown>): string {
	const value = body.prompt;
	if (typeof value === 'string') {
		return value;
	}
	if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') {
		return value[0];
	}
	throw badRequest(value === undefined ? '`prompt` is required.' : '`prompt` must be a string (one prompt per request).', 'prompt');
}

/**
 * `/chat/completions`' `messages`. Text content only: a string, or an array of `{type: 'text'}` parts.
 * 'developer' is OpenAI's newer name for 'system'.
 */
export function chatMessages(body: Record<string, unknown>): ChatMessage[] {
	const value = body.messages;
	if (!Array.isArray(value) || value.length === 0) {
		throw badRequest(value === undefined ? '`messages` is required.' : '`messages` must be a non-empty array.', 'messages');
	}
	return value.map((item: unknown, index): ChatMessage => {
		const param = `messages[${index}]`;
		if (typeof item !== 'object' || item === null) {
			throw badRequest(`\`${param}\` must be an object with \`role\` and \`content\`.`, param);
		}
		const { role, content } = item as { role?: unknown; content?: unknown };
		const mapped = role === 'developer' ? 'system' : role;
		if (mapped !== 'system' && mapped !== 'user' && mapped !== 'assistant') {
			throw badRequest(
				`\`${param}.role\` must be system, developer, user or assistant (got ${JSON.stringify(role)}).`,
				`${param}.role`,
			);
		}
		return { role: mapped, content: messageText(content, mapped, `${param}.content`) };
	});
}

function messageText(content: unknown, role: ChatMessage['role'], param: string): string {
	if (typeof content === 'string') {
		return content;
	}
	if ((content === null || content === undefined) && role === 'assistant') {
		return '';
	}
	if (Array.isArray(content)) {
		return content
			.map((part: unknown) => {
				const { type, text } = (part ?? {}) as { type?: unknown; text?: unknown };
				if (type !== 'text' || typeof text !== 'string') {
					throw badRequest(`\`${param}\` may only hold text parts ({"type": "text", "text": "..."}).`, param);
				}
				return text;
			})
			.join('');
	}
	throw badRequest(`\`${param}\` must be a string or an array of text parts.`, param);
}
