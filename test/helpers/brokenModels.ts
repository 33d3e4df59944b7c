import fs from 'node:fs/promises';
import { readGgufFile, readGgufTensorData } from '../../src/engine/gguf/ggufReader.js';
import type { GgufMetadata } from '../../src/engine/gguf/ggufTypes.js';
import { writeGgufFile } from '../../src/tooling/gguf/ggufWriter.js';

/**
 * Model files broken in the ways a user's disk or a bad download leaves them, for the tests that
 * check the server refuses them and keeps working (the fault matrix). Weight corruption is in
 * src/tooling/testModels/corruptedModel.ts; this adds the header-level and file-level breakage.
 */

/** A copy of `source` with its metadata changed by `edit` (tensors and their data unchanged). */
export async function writeModelWithMetadata(
	source: string,
	target: string,
	edit: (metadata: GgufMetadata, architecture: string) => void,
): Promise<void> {
	const file = readGgufFile(source);
	const metadata: GgufMetadata = new Map(file.metadata);
	const architecture = metadata.get('general.architecture');
	edit(metadata, architecture && typeof architecture.value === 'string' ? architecture.value : '');
	await writeGgufFile(
		target,
		metadata,
		file.tensors.map((tensor) => ({
			name: tensor.name,
			shape: tensor.shape,
			type: tensor.type,
			data: () => [readGgufTensorData(source, tensor)],
		})),
		{ alignment: file.alignment },
	);
}

/** The first `fraction` of `source`'s bytes: a download or a copy that stopped half way. */
export async function writeTruncatedModel(source: string, target: string, fraction: number): Promise<void> {
	const bytes = await fs.readFile(source);
	await fs.writeFile(target, bytes.subarray(0, Math.floor(bytes.length * fraction)));
}
