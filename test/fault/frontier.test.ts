import {
	FrontierError,
	streamFrontierAnswer,
	type FrontierEndpoint,
	type FrontierErrorKind,
} from '../../src/extension/escalation/frontier/frontierClient.js';
import { buildOutgoingRequest } from '../../src/extension/escalation/frontier/outgoingRequest.js';
import { failWith, flood, HostileServer, redirect, streamedAnswer, type HostileHandler } from '../helpers/hostileServers.js';
import { faultCase, type FaultChecks } from './faultMatrix.js';
import { withLimit } from './lspProbe.js';

const KEY = 'sk-fault-matrix-Vb7nQ2xL9pR4tY6w';

/**
 * Fault matrix, the frontier endpoint: the extension's frontier client against real HTTP servers on
 * 127.0.0.x that fail as a paid API can. Each escalation must end in a FrontierError of the right
 * kind (never hang, never an unhandled error in the extension host), the error must not hold the
 * key, the user's request must be unchanged (to send again), and the next escalation to a healthy
 * endpoint must work.
 */
describe('fault matrix: the frontier endpoint', function () {
	let hostile: HostileServer;
	let healthy: HostileServer;
	let elsewhere: HostileServer;
	const ANSWER = 'It adds two numbers.';

	const request = buildOutgoingRequest(
		{ kind: 'explain', code: 'export function add(a, b) {\n\treturn a + b;\n}\n', languageId: 'javascript', filePath: 'src/add.js' },
		{ redact: true },
	);
	const snapshot = JSON.stringify(request);

	before(async function () {
		hostile = await HostileServer.start(failWith(500));
		healthy = await HostileServer.start(streamedAnswer(ANSWER));
		// Another origin: same machine, another address.
		elsewhere = await HostileServer.start(streamedAnswer('stolen'), '127.0.0.2');
	});

	after(async function () {
		await Promise.all([hostile?.close(), healthy?.close(), elsewhere?.close()]);
	});

	const endpoint = (server: HostileServer, overrides: Partial<FrontierEndpoint> = {}): FrontierEndpoint => ({
		baseUrl: server.baseUrl,
		model: 'frontier-x',
		apiKey: KEY,
		timeoutMs: 3_000,
		maxOutputTokens: 256,
		...overrides,
	});

	async function escalate(server: HostileServer, overrides: Partial<FrontierEndpoint> = {}) {
		return streamFrontierAnswer(endpoint(server, overrides), request, {
			signal: new AbortController().signal,
			onText: () => undefined,
			retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 2_000 },
			sleep: async () => undefined,
		});
	}

	async function fault(
		checks: FaultChecks,
		handler: HostileHandler,
		expected: FrontierErrorKind[],
		overrides: Partial<FrontierEndpoint> = {},
	): Promise<FrontierError | undefined> {
		hostile.handler = handler;
		let caught: unknown;
		try {
			await withLimit(escalate(hostile, overrides), 60_000, 'the escalation');
			checks.survived(false, 'the escalation succeeded against a failing endpoint');
		} catch (error) {
			caught = error;
		}
		checks.editorAlive(caught instanceof FrontierError, `the failure is a FrontierError for the user, not ${String(caught)}`);
		const error = caught instanceof FrontierError ? caught : undefined;
		checks.survived(
			error !== undefined && expected.includes(error.kind),
			`the error kind is one of ${expected.join(', ')}: ${error?.kind} (${error?.message})`,
		);
		checks.dataKept(!String(error?.message ?? caught).includes(KEY), 'the error message holds the API key');
		checks.dataKept(JSON.stringify(request) === snapshot, "the user's request was changed");
		const next = await withLimit(escalate(healthy), 60_000, 'the next escalation').catch((problem: unknown) => problem);
		checks.survived(
			!(next instanceof Error) && (next as { text: string }).text === ANSWER,
			`the next escalation to a healthy endpoint answers: ${String(next instanceof Error ? next.message : JSON.stringify(next))}`,
		);
		return error;
	}

	faultCase('frontier endpoint', '401 Unauthorized', async (checks) => {
		await fault(checks, failWith(401), ['unauthorized']);
	});

	faultCase('frontier endpoint', '429 storm (Retry-After 1 s on every request)', async (checks) => {
		const before = hostile.requests.length;
		await fault(checks, failWith(429, 1), ['rate-limited']);
		const sent = hostile.requests.length - before;
		checks.survived(sent <= 3, `the client stopped after its retries (${sent} requests)`);
	});

	faultCase('frontier endpoint', '500 Internal Server Error', async (checks) => {
		await fault(checks, failWith(500), ['server-error']);
	});

	faultCase('frontier endpoint', 'stall: headers sent, then nothing', async (checks) => {
		await fault(
			checks,
			(_request, response) => {
				response.writeHead(200, { 'Content-Type': 'text/event-stream' });
				response.flushHeaders();
			},
			['timeout'],
			{ timeoutMs: 1_500 },
		);
	});

	faultCase('frontier endpoint', 'connection reset before any answer', async (checks) => {
		await fault(checks, (_request, response) => void response.socket?.resetAndDestroy(), [
			'unreachable',
			'closed-mid-stream',
			'server-error',
		]);
	});

	faultCase('frontier endpoint', 'redirect to another origin (307 to 127.0.0.2)', async (checks) => {
		const bytesBefore = elsewhere.bytesReceived;
		await fault(checks, redirect(307, `${elsewhere.baseUrl}/chat/completions`), ['redirected']);
		checks.dataKept(
			elsewhere.bytesReceived === bytesBefore,
			`the other origin received ${elsewhere.bytesReceived - bytesBefore} bytes of the request`,
		);
	});

	faultCase('frontier endpoint', 'huge answer (50 MB of text for 256 tokens)', async (checks) => {
		await fault(checks, flood({ totalChars: 50 * 1024 ** 2, chunkChars: 16 * 1024 }), ['too-large']);
	});
});
