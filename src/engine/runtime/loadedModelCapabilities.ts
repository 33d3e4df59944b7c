/**
 * The capabilities of a model loaded in this process, read from its GGUF (names, tags), the FIM
 * family detected from its vocabulary, and the chat layout node-llama-cpp would use for it.
 */

import path from 'node:path';
import { detectCapabilities, type ModelCapabilities } from '../actions/modelCapabilities.js';
import { chooseChatWrapper } from '../chat/chatWrapperChoice.js';
import type { LoadedModel } from './loadModel.js';

export function loadedModelCapabilities(loaded: LoadedModel): ModelCapabilities {
	const general = loaded.model.fileInfo.metadata.general as { name?: unknown; tags?: unknown; type?: unknown } | undefined;
	const tags = [...(Array.isArray(general?.tags) ? general.tags : []), general?.type].filter(
		(tag): tag is string => typeof tag === 'string',
	);
	return detectCapabilities({
		name: typeof general?.name === 'string' ? general.name : undefined,
		fileName: path.basename(loaded.info.path),
		tags,
		fimFamily: loaded.fim.template.family,
		chatTemplate: chooseChatWrapper(loaded.model).source,
		trainedContext: loaded.info.trainContextSize,
	});
}
