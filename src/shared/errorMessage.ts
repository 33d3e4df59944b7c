/**
 * The one place a thrown value becomes text for a log line or a message: every layer (engine,
 * server, extension, tools) imports this rather than writing its own `instanceof Error` test.
 */
export function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
