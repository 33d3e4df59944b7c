// The tensors llama.cpp expects for each supported architecture, with names
// from src/llama-arch.cpp and shapes in ggml order (ne0, the input/contiguous
// dimension, first): token_embd is [n_embd, n_vocab], attn_k is
// [n_embd, n_embd_kv], ffn_down is [n_ff, n_embd].

import type { TestModelShape } from './shapes.js';

/** How a tensor is filled and stored. */
export type TensorRole =
	/** token_embd.weight; also the output projection when embeddings are tied. */
	| 'token-embedding'
	/** output.weight (untied output projection). */
	| 'output'
	/** Any other 2-D weight matrix. */
	| 'matrix'
	/** RMS norm weights: all ones, always F32. */
	| 'norm'
	/** Projection biases: small random values, always F32. */
	| 'bias';

export interface PlannedTensor {
	readonly name: string;
	readonly shape: readonly number[];
	readonly role: TensorRole;
}

export function planTensors(shape: TestModelShape, vocabSize: number): PlannedTensor[] {
	const nEmbd = shape.embeddingLength;
	const nEmbdKv = (nEmbd / shape.headCount) * shape.headCountKv;
	const nFf = shape.feedForwardLength;
	const tensors: PlannedTensor[] = [{ name: 'token_embd.weight', shape: [nEmbd, vocabSize], role: 'token-embedding' }];

	for (let block = 0; block < shape.blockCount; block++) {
		const prefix = `blk.${block}`;
		tensors.push({ name: `${prefix}.attn_norm.weight`, shape: [nEmbd], role: 'norm' });
		tensors.push({ name: `${prefix}.attn_q.weight`, shape: [nEmbd, nEmbd], role: 'matrix' });
		tensors.push({ name: `${prefix}.attn_k.weight`, shape: [nEmbd, nEmbdKv], role: 'matrix' });
		tensors.push({ name: `${prefix}.attn_v.weight`, shape: [nEmbd, nEmbdKv], role: 'matrix' });
		if (shape.attentionBiases) {
			tensors.push({ name: `${prefix}.attn_q.bias`, shape: [nEmbd], role: 'bias' });
			tensors.push({ name: `${prefix}.attn_k.bias`, shape: [nEmbdKv], role: 'bias' });
			tensors.push({ name: `${prefix}.attn_v.bias`, shape: [nEmbdKv], role: 'bias' });
		}
		tensors.push({ name: `${prefix}.attn_output.weight`, shape: [nEmbd, nEmbd], role: 'matrix' });
		tensors.push({ name: `${prefix}.ffn_norm.weight`, shape: [nEmbd], role: 'norm' });
		tensors.push({ name: `${prefix}.ffn_gate.weight`, shape: [nEmbd, nFf], role: 'matrix' });
		tensors.push({ name: `${prefix}.ffn_up.weight`, shape: [nEmbd, nFf], role: 'matrix' });
		tensors.push({ name: `${prefix}.ffn_down.weight`, shape: [nFf, nEmbd], role: 'matrix' });
	}

	tensors.push({ name: 'output_norm.weight', shape: [nEmbd], role: 'norm' });
	if (!shape.tiedEmbeddings) {
		tensors.push({ name: 'output.weight', shape: [nEmbd, vocabSize], role: 'output' });
	}
	return tensors;
}

export function parameterCount(tensors: readonly PlannedTensor[]): number {
	return tensors.reduce((sum, tensor) => sum + tensor.shape.reduce((product, n) => product * n, 1), 0);
}
