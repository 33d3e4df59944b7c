/**
 * The server and fault suites speak LSP to the bundled language server through the bench's client
 * (src/bench/soak/bundledServer.ts, the one the soak types into), under the names these suites use.
 */
export {
	BundledServer as LspTestClient,
	insertTextOf,
	itemsOf,
	type BundledServerOptions as StartOptions,
} from '../../src/bench/soak/bundledServer.js';
