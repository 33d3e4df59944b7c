/**
 * The race's llama-server computes with node-llama-cpp's own CPU kernels (src/bench/race/sameKernels.ts):
 * which variant node-llama-cpp says it loaded, and the folder of links that makes llama-server load it.
 * The real thing (a llama-server mapping that variant) is checked in test/teamServer/llamaServer.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBenchOptions } from '../../src/bench/benchOptions.js';
import { parseLoadedCpuBackend, sameKernelsLibraryDir } from '../../src/bench/race/sameKernels.js';

describe("bench race: llama-server with node-llama-cpp's CPU kernels", function () {
	it("reads the CPU variant from node-llama-cpp's log, and nothing from a log without one", function () {
		const log = [
			'load_backend: loaded CPU backend from /x/bins/linux-x64/libggml-cpu-haswell.so',
			'llama_model_loader: loaded meta data',
		].join('\n');
		assert.equal(parseLoadedCpuBackend(log), '/x/bins/linux-x64/libggml-cpu-haswell.so');
		assert.equal(parseLoadedCpuBackend('load_backend: loaded RPC backend from /x/libggml-rpc.so\n'), undefined);
		assert.equal(parseLoadedCpuBackend(''), undefined);
	});

	it('links the variant as libggml-cpu.so.0 and its base library under both names, replacing stale links', function () {
		const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-kernels-'));
		try {
			const bins = path.join(root, 'bins');
			fs.mkdirSync(bins);
			const variant = path.join(bins, 'libggml-cpu-zen4.so');
			fs.writeFileSync(variant, 'variant');
			fs.writeFileSync(path.join(bins, 'libggml-base.so'), 'base');
			const first = sameKernelsLibraryDir(variant, path.join(root, 'cache'));
			const again = sameKernelsLibraryDir(variant, path.join(root, 'cache'));
			assert.equal(again, first);
			assert.equal(path.basename(first), 'libggml-cpu-zen4');
			assert.equal(fs.readFileSync(path.join(first, 'libggml-cpu.so.0'), 'utf8'), 'variant');
			assert.equal(fs.readFileSync(path.join(first, 'libggml-base.so.0'), 'utf8'), 'base');
			assert.equal(fs.readFileSync(path.join(first, 'libggml-base.so'), 'utf8'), 'base');
			fs.rmSync(path.join(bins, 'libggml-base.so'));
			assert.throws(() => sameKernelsLibraryDir(variant, path.join(root, 'cache')), /libggml-base\.so is missing/);
		} finally {
			fs.rmSync(root, { recursive: true, force: true });
		}
	});

	it('takes --race-own-kernels (default: shared kernels)', function () {
		const parse = (argv: string[]) => {
			const options = parseBenchOptions(argv, {});
			assert.notEqual(options, 'help');
			return options as Exclude<typeof options, 'help'>;
		};
		assert.equal(parse([]).raceOwnKernels, false);
		assert.equal(parse(['--race-own-kernels']).raceOwnKernels, true);
	});
});
