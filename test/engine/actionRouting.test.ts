/**
 * Capability detection on real GGUFs (the generated presets and the bundled trained model) and the
 * routing decision made from it: a base FIM model documents code instead of explaining it, an
 * instruct model with a chat template chats, and a model that can do neither gets no local run.
 */

import assert from 'node:assert/strict';
import { describeRoute, routeAction, type RoutedModel } from '../../src/engine/actions/actionRouting.js';
import { detectCapabilities } from '../../src/engine/actions/modelCapabilities.js';
import { silentLogger } from '../../src/engine/logger.js';
import { loadModel } from '../../src/engine/runtime/loadModel.js';
import { loadedModelCapabilities } from '../../src/engine/runtime/loadedModelCapabilities.js';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../../src/shared/bundledModel.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';
import type { TestModelPreset } from '../../src/tooling/testModels/shapes.js';
import { projectRoot } from '../../src/tooling/projectRoot.js';
import path from 'node:path';

async function routedModel(modelPath: string): Promise<RoutedModel> {
	const loaded = await loadModel({ modelPath, contextSize: 256, sequences: 1, threads: 1, gpu: 'off', logger: silentLogger });
	try {
		return { name: loaded.info.displayName, local: true, capabilities: loadedModelCapabilities(loaded) };
	} finally {
		await loaded.dispose();
	}
}

const preset = async (name: TestModelPreset) => routedModel(await ensureTestModel(name, { quantization: 'Q8_0' }));

describe('action routing by model capability', function () {
	this.timeout(300_000);
	let fimBase: RoutedModel;
	let noFim: RoutedModel;
	let instruct: RoutedModel;
	let bundled: RoutedModel;

	before(async () => {
		fimBase = await preset('tiny-fim');
		noFim = await preset('tiny-nofim');
		instruct = await preset('tiny-qwen2-instruct');
		bundled = await routedModel(path.join(projectRoot(), BUNDLED_MODEL_RELATIVE_PATH));
	});

	it('detects FIM tokens, the chat template, base or instruct, and the trained context from the files', () => {
		assert.equal(fimBase.capabilities.fim, true);
		assert.equal(fimBase.capabilities.tuning, 'base');
		assert.notEqual(fimBase.capabilities.chatTemplate, 'gguf-template');
		assert.equal(fimBase.capabilities.trainedContext, 2048);
		assert.equal(noFim.capabilities.fim, false);
		assert.equal(noFim.capabilities.fimFamily, 'prefix-only');
		assert.equal(instruct.capabilities.tuning, 'instruct');
		assert.equal(instruct.capabilities.chatTemplate, 'gguf-template');
		assert.equal(instruct.capabilities.fim, true);
		assert.equal(bundled.capabilities.fim, true);
		assert.equal(bundled.capabilities.tuning, 'base');
		assert.notEqual(bundled.capabilities.chatTemplate, 'gguf-template');
		assert.ok(bundled.capabilities.evidence.some((line) => line.includes('a base model')));
	});

	it('sends every action to a capable chat model, from the chat slot first', () => {
		for (const kind of ['explain', 'refactor', 'cleanup'] as const) {
			assert.deepEqual(pick(routeAction({ kind, completion: instruct })), { via: 'chat', slot: 'completion' });
			assert.deepEqual(pick(routeAction({ kind, completion: bundled, chat: instruct })), { via: 'chat', slot: 'chat' });
		}
	});

	it('sends every action to a chat server chosen as the chat model, whatever the completion model is', () => {
		const server: RoutedModel = { name: 'qwen2.5-coder-7b-instruct @ 127.0.0.1:8080', local: false, capabilities: noFim.capabilities };
		for (const completion of [bundled, noFim, instruct, undefined]) {
			for (const kind of ['explain', 'refactor', 'cleanup'] as const) {
				const route = routeAction({ kind, completion, chat: server });
				assert.deepEqual(pick(route), { via: 'chat', slot: 'chat' });
				assert.match(route.reason, /the selection goes to the chat server qwen2\.5-coder-7b-instruct @ 127\.0\.0\.1:8080/);
			}
		}
	});

	it('falls back to the completion model when the chat model is a base model or failed, and says why', () => {
		// A local chat slot holding a base model cannot chat: the bundled base model documents instead.
		const baseChat = routeAction({ kind: 'explain', completion: bundled, chat: fimBase });
		assert.equal(baseChat.via, 'document-this');
		assert.match(baseChat.reason, /the chat model .* is a base fill-in-the-middle model/);
		const failed = 'Model file not found: /nowhere/chat.gguf';
		const onBase = routeAction({ kind: 'explain', completion: bundled, chatProblem: failed });
		assert.equal(onBase.via, 'document-this');
		assert.ok(onBase.reason.includes(`the chat model is unavailable (${failed})`), onBase.reason);
		const onInstruct = routeAction({ kind: 'refactor', completion: instruct, chatProblem: failed });
		assert.deepEqual(pick(onInstruct), { via: 'chat', slot: 'completion' });
		assert.ok(onInstruct.reason.includes(failed), onInstruct.reason);
		const refactorOnBase = routeAction({ kind: 'refactor', completion: bundled, chatProblem: failed });
		assert.equal(refactorOnBase.via, 'unavailable');
		assert.ok(refactorOnBase.reason.includes(failed), refactorOnBase.reason);
		assert.match(describeRoute(onBase), /^Document This on .+: /);
		assert.match(describeRoute(onInstruct), /^Chat on .*tiny-qwen2-Instruct.*: /);
		assert.match(describeRoute(refactorOnBase), /^No local run: /);
	});

	it('documents code with a base FIM model for Explain and Clean Up Docs, and runs nothing for Refactor', () => {
		assert.equal(routeAction({ kind: 'explain', completion: bundled }).via, 'document-this');
		assert.equal(routeAction({ kind: 'cleanup', completion: fimBase }).via, 'document-this');
		const refactor = routeAction({ kind: 'refactor', completion: bundled });
		assert.equal(refactor.via, 'unavailable');
		assert.match(refactor.reason, /base fill-in-the-middle model.*Refactor needs a model that follows instructions/);
	});

	it('runs nothing locally for a model with neither FIM nor a chat template, nor for a team server', () => {
		for (const kind of ['explain', 'refactor', 'cleanup'] as const) {
			assert.equal(routeAction({ kind, completion: noFim }).via, 'unavailable');
			assert.equal(routeAction({ kind, completion: { ...instruct, local: false } }).via, 'unavailable');
		}
		assert.equal(routeAction({ kind: 'explain' }).via, 'unavailable');
	});

	it('never trusts the generic fallback layout, even for an instruct name', () => {
		const named = detectCapabilities({
			fileName: 'some-coder-1b-instruct.gguf',
			fimFamily: 'prefix-only',
			chatTemplate: 'fallback',
			trainedContext: 4096,
		});
		assert.equal(named.tuning, 'instruct');
		assert.equal(routeAction({ kind: 'explain', completion: { name: 'x', local: true, capabilities: named } }).via, 'unavailable');
		const base = detectCapabilities({
			name: 'Qwen2.5 Coder 1.5B Base',
			fileName: 'q.gguf',
			fimFamily: 'qwen2.5-coder',
			chatTemplate: 'gguf-template',
			trainedContext: 32768,
		});
		assert.equal(base.tuning, 'base', 'a base release carrying a chat template is still a base model');
	});
});

function pick(route: ReturnType<typeof routeAction>): { via: string; slot?: string } {
	return route.via === 'chat' ? { via: route.via, slot: route.slot } : { via: route.via };
}
