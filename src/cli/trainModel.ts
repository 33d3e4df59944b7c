#!/usr/bin/env node
// `npm run train -- [train.py options]`: runs models/recipe/train.py with a Python that has torch
// (Debian's python3-torch lives in /usr/bin/python3, which a pyenv or venv python3 on PATH hides;
// HEARTH_PYTHON overrides). Every argument goes to train.py; `npm run train -- --help` lists them,
// e.g. `npm run train -- --preset cpu-small --fit-minutes 60` for a schedule that ends in an hour.
// On a leased GPU machine (no node there) models/recipe/gpu-lease.sh is the one command instead.
import { spawn } from 'node:child_process';
import path from 'node:path';

import { pythonWithTorch } from '../train/export/python.js';
import { projectRoot } from '../tooling/projectRoot.js';
import { messageOf } from '../shared/errorMessage.js';

let python: string;
try {
	python = pythonWithTorch();
} catch (error) {
	console.error(`train: ${messageOf(error)}`);
	process.exit(1);
}
const child = spawn(python, [path.join(projectRoot(), 'models', 'recipe', 'train.py'), ...process.argv.slice(2)], {
	stdio: 'inherit',
	env: { ...process.env, PYTHONUNBUFFERED: '1' },
});
// Pass Ctrl-C / SIGTERM on, so train.py saves its checkpoint before it exits.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
