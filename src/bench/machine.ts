import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export interface MachineInfo {
	cpuModel: string;
	/** Logical CPUs the OS reports, and what Node says this process may use. */
	cores: number;
	availableParallelism: number;
	totalMemoryGiB: number;
	platform: string;
	node: string;
	/** 1/5/15-minute load averages when the run started: other work on the machine skews timings. */
	loadAverage: number[];
}

export function machineInfo(): MachineInfo {
	const cpus = os.cpus();
	return {
		cpuModel: cpus[0]?.model.trim() ?? 'unknown',
		cores: cpus.length,
		availableParallelism: os.availableParallelism(),
		totalMemoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
		platform: `${os.platform()} ${os.arch()} ${os.release()}`,
		node: process.version,
		loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
	};
}

/** The installed node-llama-cpp's version; its "exports" map hides package.json, so walk up from its entry. */
export function nodeLlamaCppVersion(): string {
	try {
		let directory = path.dirname(createRequire(import.meta.url).resolve('node-llama-cpp'));
		for (;;) {
			const manifest = path.join(directory, 'package.json');
			if (fs.existsSync(manifest)) {
				const parsed = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
				if (parsed.name === 'node-llama-cpp') {
					return parsed.version ?? 'unknown';
				}
			}
			const parent = path.dirname(directory);
			if (parent === directory) {
				return 'unknown';
			}
			directory = parent;
		}
	} catch {
		return 'unknown';
	}
}
