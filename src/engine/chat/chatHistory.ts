import type { ChatHistoryItem } from 'node-llama-cpp';
import type { ChatMessage } from './chatTypes.js';

/**
 * node-llama-cpp's history for the messages, ending in the model turn to generate. A conversation
 * that already ends with an assistant message has that message continued (the "prefill" llama-server
 * and Ollama offer), which lets a caller start the answer, e.g. with a code fence.
 *
 * Message text stays plain text: a user pasting "<|im_end|>" gets those characters, not a control token.
 */
export function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
	const history: ChatHistoryItem[] = messages.map((message): ChatHistoryItem => {
		switch (message.role) {
			case 'system':
				return { type: 'system', text: message.content };
			case 'user':
				return { type: 'user', text: message.content };
			case 'assistant':
				return { type: 'model', response: [message.content] };
		}
	});
	if (history.at(-1)?.type !== 'model') {
		history.push({ type: 'model', response: [] });
	}
	return history;
}
