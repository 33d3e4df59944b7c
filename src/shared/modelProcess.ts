/**
 * How the process that owns a model is started: the language server (forked by the extension) and
 * the bench's model worker, which stands for it in the speed race. One place, so that the race
 * measures the memory settings users get.
 *
 * With the bundled model (53 MB) most of the process's memory is not the model's. Measured on the
 * bench's worker replaying ts-paused-typing (Node 20, two cores, peak RSS): 420 MiB with Node's
 * defaults, ~365 with at most two malloc arenas, ~313 with a 2 MiB V8 semi-space besides.
 * - glibc gives each thread that calls malloc an arena of its own, up to eight per core, and keeps
 *   what a thread freed in its arena. node-llama-cpp decodes and samples on libuv's worker threads,
 *   so the freed buffers of one decode (logits, candidates) sat in one arena while the next decode
 *   took new pages in another.
 * - V8's young generation grows to 16 MiB a semi-space (two of them, plus the promoted copies): the
 *   server's short-lived objects (prompts, token arrays, LSP messages) filled them between scavenges.
 *   A scavenge of a 2 MiB semi-space takes well under a millisecond; the speed race's CPU column
 *   includes them.
 */

/** V8 options for the model process (before the script on its command line). */
export const MODEL_PROCESS_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=2'];

/** glibc's malloc arenas for the model process, unless the user's environment already says. */
export const MODEL_PROCESS_MALLOC_ARENAS = '2';

/** The model process's environment: `base` with MALLOC_ARENA_MAX set where `base` leaves it out. */
export function modelProcessEnv(base: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
	return { ...base, MALLOC_ARENA_MAX: base.MALLOC_ARENA_MAX ?? MODEL_PROCESS_MALLOC_ARENAS };
}
