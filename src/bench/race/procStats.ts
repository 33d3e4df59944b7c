import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * CPU time of another process from /proc (Linux): the llama-server's threads all count in its
 * utime and stime, as every llama.cpp thread of Hearth's worker counts in process.cpuUsage().
 */

/** utime + stime of a /proc/PID/stat line, in clock ticks. The name field may hold spaces and ')'. */
export function parseStatTicks(stat: string): number {
	const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	// Fields after the name start at field 3 (state); utime and stime are fields 14 and 15.
	const utime = Number(afterName[11]);
	const stime = Number(afterName[12]);
	if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
		throw new Error(`cannot read CPU times from /proc stat line: ${stat.slice(0, 120)}`);
	}
	return utime + stime;
}

/** VmHWM of a /proc/PID/status text (peak resident set), in MiB; null when absent. */
export function parsePeakRssMiB(status: string): number | null {
	const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
	return match ? Math.round(Number(match[1]) / 1024) : null;
}

let ticksPerSecond: number | undefined;

function clockTicksPerSecond(): number {
	if (ticksPerSecond === undefined) {
		try {
			ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
		} catch {
			ticksPerSecond = 100;
		}
	}
	return ticksPerSecond;
}

export function processCpuSeconds(pid: number): number {
	return parseStatTicks(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')) / clockTicksPerSecond();
}

export function processPeakRssMiB(pid: number): number | null {
	return parsePeakRssMiB(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
}
