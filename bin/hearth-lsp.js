#!/usr/bin/env node
/**
 * hearth-lsp: Hearth's language server for any LSP client (Neovim, Helix, Emacs, …). It runs the
 * bundled server the VS Code extension runs (dist/server.mjs, built by `npm run build`), over stdio
 * unless the command line names another transport (--stdio, --node-ipc, --socket=PORT, --pipe=NAME).
 * With no initializationOptions it completes with the bundled model; settings come from the client's
 * `workspace/configuration` answer for the `hearth` section (README: "Other editors").
 */
import { existsSync } from 'node:fs';

const server = new URL('../dist/server.mjs', import.meta.url);
if (!existsSync(server)) {
	process.stderr.write(`hearth-lsp: ${server.pathname} is missing; run \`npm run build\` in Hearth's folder first.\n`);
	process.exit(1);
}
const TRANSPORTS = ['--stdio', '--node-ipc', '--socket', '--pipe'];
if (!process.argv.slice(2).some((arg) => TRANSPORTS.includes(arg.split('=')[0]))) {
	process.argv.push('--stdio');
}
await import(server.href);
