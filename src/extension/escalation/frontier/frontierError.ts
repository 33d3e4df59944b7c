/** Why an escalation produced no (complete) answer. */
export type FrontierErrorKind =
	| 'no-key'
	| 'unauthorized'
	| 'not-found'
	| 'rate-limited'
	| 'server-error'
	| 'timeout'
	| 'unreachable'
	| 'malformed'
	| 'closed-mid-stream'
	| 'redirected'
	| 'too-large'
	| 'context-too-long'
	| 'bad-request'
	| 'cancelled';

/**
 * A failed escalation. `message` is written for the user (what happened and what to do) and never
 * holds the API key; no `cause` is attached, so that nothing of the request (headers included)
 * travels with the error into logs.
 */
export class FrontierError extends Error {
	override readonly name = 'FrontierError';
	/** The HTTP status, when the server answered with one. */
	readonly status?: number;
	/** What had streamed in before the failure (kept so the user can still read it). */
	readonly partialText: string;
	/** Whether sending the same request again later may well succeed. */
	readonly retryable: boolean;
	/** Requests sent, retries included (0: nothing was sent). */
	readonly attempts: number;

	constructor(
		readonly kind: FrontierErrorKind,
		message: string,
		details: { status?: number; partialText?: string; retryable?: boolean; attempts?: number } = {},
	) {
		super(message);
		this.status = details.status;
		this.partialText = details.partialText ?? '';
		this.retryable = details.retryable ?? false;
		this.attempts = details.attempts ?? 0;
	}
}
