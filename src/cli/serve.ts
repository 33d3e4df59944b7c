#!/usr/bin/env node
import path from 'node:path';
import { ChatEngine } from '../engine/chat/chatEngine.js';
import { stderrLogger } from '../engine/logger.js';
import { CompletionEngine } from '../engine/runtime/completionEngine.js';
import { loadModel } from '../engine/runtime/loadModel.js';
import { ModelLoadError } from '../engine/runtime/modelLoadError.js';
import { startOpenAiServer } from '../teamServer/openAiServer.js';
import { integerOption, parseArguments, runCli, stringOption, UsageError } from '../tooling/cliArguments.js';
import { messageOf } from '../shared/errorMessage.js';

const USAGE = `Usage: npm run serve -- --model PATH [options]

Serves a GGUF model over the OpenAI wire format, for editors on other machines or any OpenAI client:
  GET  /v1/models
  POST /v1/completions        fill-in-the-middle: prompt = text before the cursor, suffix = text after
  POST /v1/chat/completions   chat with the model's chat template
Prints the base URL (…/v1) once it listens. Ctrl+C stops it.

Options:
  --model PATH          GGUF model (required)
  --port N              port (default 8080; 0 picks a free one)
  --host ADDRESS        address to listen on (default 127.0.0.1: this machine only)
  --api-key KEY         require "Authorization: Bearer KEY" (do set one when --host is not loopback)
  --threads N           CPU threads (default: the machine's core count)
  --context-size N      completion context in tokens (default 2048)
  --chat-context-size N chat context in tokens (default 4096)
  --gpu auto|off        use a GPU if one is found (default auto)
  --verbose             log each request to stderr`;

async function main(argv: string[]): Promise<number> {
	const { positionals, options } = parseArguments(argv, ['verbose', 'help']);
	if (options.has('help')) {
		console.log(USAGE);
		return 0;
	}
	if (positionals.length > 0) {
		throw new UsageError(`Unexpected argument: ${positionals[0]}`);
	}
	const modelOption = options.get('model');
	if (typeof modelOption !== 'string') {
		throw new UsageError('Give the model to serve: --model PATH');
	}
	const gpu = options.get('gpu') ?? 'auto';
	if (gpu !== 'auto' && gpu !== 'off') {
		throw new UsageError('--gpu must be auto or off');
	}
	const host = stringOption(options, 'host') ?? '127.0.0.1';
	const apiKey = stringOption(options, 'api-key');
	const port = integerOption(options, 'port') ?? 8080;
	if (port < 0 || port > 65535) {
		throw new UsageError('--port must be from 0 to 65535');
	}
	const logger = stderrLogger({ verbose: options.has('verbose') });
	const modelPath = path.resolve(modelOption);
	const threads = integerOption(options, 'threads');

	// One sequence: requests come one at a time and carry no document identity to keep caches apart by.
	const loaded = await loadModel({ modelPath, threads, contextSize: integerOption(options, 'context-size'), gpu, logger, sequences: 1 });
	const completions = new CompletionEngine(loaded, logger);
	const chat = new ChatEngine(loaded, { logger, threads, contextSize: integerOption(options, 'chat-context-size') });
	const modelId = path.basename(modelPath).replace(/\.gguf$/i, '');
	const server = await startOpenAiServer({ completions, chat, modelId, host, port, apiKey, logger });
	if (apiKey === undefined && !isLoopback(host)) {
		logger.warn(`Listening on ${host} without --api-key: anyone who can reach this machine can use the model.`);
	}
	console.log(
		`Serving ${modelId} (${loaded.info.quantization}, ${loaded.info.backend}, chat layout ${chat.chatWrapper.name}) at ${server.url}`,
	);

	await new Promise<void>((resolve) => {
		process.once('SIGINT', resolve);
		process.once('SIGTERM', resolve);
	});
	console.error('Stopping…');
	await server.close();
	// The chat engine first: the completion engine's dispose also releases the model both use.
	await chat.dispose();
	await completions.dispose();
	return 0;
}

function isLoopback(host: string): boolean {
	return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

runCli(
	() => main(process.argv.slice(2)),
	USAGE,
	(error) => (error instanceof ModelLoadError ? error.userMessage : `Serving failed: ${messageOf(error)}`),
);
