// Starts and stops one code-server (VS Code served over HTTP) with a fresh profile.
// It runs in its own process group so teardown can end it together with everything it
// spawned (extension host, tsserver, file watcher).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { artifactPath } from './artifacts.js';
import { HarnessError, withLogTail } from './errors.js';
import { ensureCodeServer } from './install.js';
import { freePort } from './ports.js';
import { trackGroup, untrackGroup } from './reaper.js';
import { machineSettings, userSettings } from './settings.js';
import { makeTempDir, removeTempDir } from './workspace.js';

const execFileP = promisify(execFile);

export interface CodeServerOptions {
	/** Folder opened as the workspace. */
	workspace: string;
	/** Merged over TEST_USER_SETTINGS and written to the profile before start. */
	settings?: Record<string, unknown>;
	/**
	 * The machine's settings (code-server's "Remote" settings, `Machine/settings.json`): where
	 * machine-scoped settings take effect, since the browser is the client of a remote here.
	 */
	machineSettings?: Record<string, unknown>;
	/**
	 * Keep VS Code's workspace trust on (code-server is started with it off by default, so that no
	 * trust prompt covers the editor): with `security.workspace.trust.startupPrompt: "never"` in the
	 * settings, the folder then opens in Restricted Mode.
	 */
	workspaceTrust?: boolean;
	/** Packaged extensions installed into the fresh extensions dir before start. */
	vsix?: string[];
	/** Extra environment for code-server (and so for the extension host). */
	env?: Record<string, string>;
	/** How long to wait for the HTTP port to answer. Default 60 s. */
	startTimeoutMs?: number;
}

export interface CodeServer {
	readonly port: number;
	/** http://127.0.0.1:PORT */
	readonly origin: string;
	/** The workbench with the workspace open: origin/?folder=... */
	readonly workbenchUrl: string;
	readonly workspace: string;
	readonly userDataDir: string;
	readonly extensionsDir: string;
	/** code-server's stdout and stderr. */
	readonly logFile: string;
	/** Milliseconds from spawn to the first healthy HTTP answer. */
	readonly startMs: number;
	/** True once the process has exited (by stop() or on its own). */
	exited(): boolean;
	/** SIGTERM to the whole group, SIGKILL after a grace period; removes the temp profile. */
	stop(): Promise<void>;
}

let serial = 0;

function profileEnv(home: string, extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
	// Keep code-server's config.yaml and any XDG state inside the temp folder, not in ~.
	return { ...process.env, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'), ...extra };
}

async function installVsix(
	bin: string,
	vsix: string,
	dirs: { userDataDir: string; extensionsDir: string },
	env: NodeJS.ProcessEnv,
): Promise<void> {
	const args = ['--install-extension', vsix, '--force', '--extensions-dir', dirs.extensionsDir, '--user-data-dir', dirs.userDataDir];
	let out = '';
	try {
		const r = await execFileP(bin, args, { env, timeout: 120_000 });
		out = r.stdout + r.stderr;
	} catch (err) {
		const e = err as Error & { stdout?: string; stderr?: string };
		throw new HarnessError(`code-server could not install ${vsix}: ${e.message.split('\n')[0]}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
	}
	// It exits 0 even when the VSIX is rejected (bad manifest, engine mismatch), so read the words.
	if (!/successfully installed/i.test(out)) throw new HarnessError(`code-server did not install ${vsix}:\n${out}`);
}

async function answers(url: string): Promise<boolean> {
	try {
		const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
		return res.ok;
	} catch {
		return false;
	}
}

function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms));
}

function groupAlive(pgid: number): boolean {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch {
		return false;
	}
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pgid, signal);
	} catch {
		// Already gone.
	}
}

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
	const bin = await ensureCodeServer();
	const home = makeTempDir('profile');
	const userDataDir = join(home, 'user-data');
	const extensionsDir = join(home, 'extensions');
	mkdirSync(join(userDataDir, 'User'), { recursive: true });
	mkdirSync(extensionsDir, { recursive: true });
	writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(userSettings(opts.settings), null, 2));
	mkdirSync(join(userDataDir, 'Machine'), { recursive: true });
	writeFileSync(join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(machineSettings(opts.machineSettings), null, 2));
	const env = profileEnv(home, opts.env);

	for (const vsix of opts.vsix ?? []) await installVsix(bin, vsix, { userDataDir, extensionsDir }, env);

	serial += 1;
	const logFile = artifactPath(`code-server-${serial}.log`);
	const port = await freePort();
	const origin = `http://127.0.0.1:${port}`;
	const args = [
		'--auth',
		'none',
		'--bind-addr',
		`127.0.0.1:${port}`,
		'--disable-telemetry',
		'--disable-update-check',
		...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
		'--disable-getting-started-override',
		'--user-data-dir',
		userDataDir,
		'--extensions-dir',
		extensionsDir,
		opts.workspace,
	];
	// The log is a file descriptor, not a pipe, so it keeps filling even if this process stalls.
	const logFd = openSync(logFile, 'a');
	writeFileSync(logFd, `$ ${bin} ${args.join(' ')}\n`);
	const started = Date.now();
	let child: ChildProcess;
	try {
		child = spawn(bin, args, { detached: true, stdio: ['ignore', logFd, logFd], env });
	} finally {
		closeSync(logFd);
	}
	const pgid = child.pid;
	if (pgid === undefined) {
		removeTempDir(home);
		throw new HarnessError(withLogTail(`code-server could not be spawned (${bin})`, logFile));
	}

	let exitInfo: string | undefined;
	const exitedP = new Promise<void>((resolve) => {
		child.once('exit', (code, signal) => {
			exitInfo = signal ? `signal ${signal}` : `code ${code}`;
			resolve();
		});
	});
	child.once('error', (err) => (exitInfo ??= `spawn error: ${err.message}`));
	trackGroup(pgid);

	let stopped = false;
	const stop = async (): Promise<void> => {
		if (stopped) return;
		stopped = true;
		killGroup(pgid, 'SIGTERM');
		await Promise.race([exitedP, sleep(5000)]);
		// Children (extension host, tsserver) may outlive the parent by a moment.
		for (let i = 0; i < 20 && groupAlive(pgid); i++) await sleep(100);
		if (groupAlive(pgid)) killGroup(pgid, 'SIGKILL');
		untrackGroup(pgid);
		removeTempDir(home);
	};

	const timeoutMs = opts.startTimeoutMs ?? 60_000;
	const health = `${origin}/healthz`;
	for (;;) {
		if (exitInfo !== undefined) {
			await stop();
			throw new HarnessError(withLogTail(`code-server exited (${exitInfo}) before answering on ${origin}`, logFile));
		}
		if (await answers(health)) break;
		if (Date.now() - started > timeoutMs) {
			await stop();
			throw new HarnessError(withLogTail(`code-server never answered on ${health} within ${timeoutMs} ms`, logFile));
		}
		await sleep(150);
	}

	return {
		port,
		origin,
		workbenchUrl: `${origin}/?folder=${encodeURIComponent(opts.workspace)}`,
		workspace: opts.workspace,
		userDataDir,
		extensionsDir,
		logFile,
		startMs: Date.now() - started,
		exited: () => exitInfo !== undefined,
		stop,
	};
}
