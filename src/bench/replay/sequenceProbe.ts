import type { LlamaContextSequence, Token } from 'node-llama-cpp';

/** What one engine run did to the model, seen from the sequence it drives. */
export interface ProbedRun {
	/** The whole prompt, as the engine compared it with the KV cache. */
	promptTokens: Token[];
	startedAt: number;
	/** Prompt tokens sent to llama.cpp, including chunks evaluated before an abort was noticed. */
	evaluatedPromptTokens: number;
	/** Tokens that came out of the model (one decode each). */
	decodedTokens: number;
}

/**
 * Wraps the engine's LlamaContextSequence to see each run's prompt tokens and how many of them
 * really went through the model. The engine reports neither for a run that was cancelled during
 * prompt evaluation (its evaluatedPromptTokens is only set once the whole prompt is in), and it
 * does not expose prompt token arrays at all. Only observation: every call is forwarded unchanged.
 *
 * Runs are recorded in the order the engine starts them. Its queue is first-in first-out and a run
 * always begins with compareContextTokens, so the n-th run that compared belongs to the n-th request
 * that reached the model.
 */
export class SequenceProbe {
	readonly runs: ProbedRun[] = [];
	readonly sequence: LlamaContextSequence;
	private claimed = 0;

	constructor(target: LlamaContextSequence) {
		const runs = this.runs;
		const current = () => runs.at(-1);
		const overrides: Partial<Record<keyof LlamaContextSequence, unknown>> = {
			compareContextTokens(tokens: Token[]) {
				runs.push({ promptTokens: tokens.slice(), startedAt: performance.now(), evaluatedPromptTokens: 0, decodedTokens: 0 });
				return target.compareContextTokens(tokens);
			},
			async evaluateWithoutGeneratingNewTokens(tokens: Token[], ...rest: unknown[]) {
				const result = await (target.evaluateWithoutGeneratingNewTokens as (...args: unknown[]) => Promise<void>)(tokens, ...rest);
				const run = current();
				if (run) {
					run.evaluatedPromptTokens += tokens.length;
				}
				return result;
			},
			evaluate(tokens: Token[], ...rest: unknown[]) {
				const inner = (target.evaluate as (...args: unknown[]) => AsyncGenerator<Token, void, void | Token | Token[]>)(tokens, ...rest);
				return countDecodes(inner, tokens.length, current());
			},
		};
		this.sequence = new Proxy(target, {
			get(object, property) {
				if (Object.hasOwn(overrides, property)) {
					return overrides[property as keyof LlamaContextSequence];
				}
				// Read with the real object as receiver, and bind methods to it, so that the sequence's
				// own fields and getters never see the proxy.
				const value = Reflect.get(object, property, object);
				return typeof value === 'function' ? value.bind(object) : value;
			},
		});
	}

	/** The run of the next request that reached the model, in the order requests settle. */
	claimNextRun(): ProbedRun | undefined {
		return this.runs[this.claimed++];
	}
}

/** Passes the engine's generator through, counting what it yields and closing the inner one with it. */
async function* countDecodes(
	inner: AsyncGenerator<Token, void, void | Token | Token[]>,
	inputTokens: number,
	run: ProbedRun | undefined,
): AsyncGenerator<Token, void, void | Token | Token[]> {
	let finished = false;
	let input: void | Token | Token[] = undefined;
	try {
		for (let first = true; ; first = false) {
			const step = await inner.next(input);
			if (first && run) {
				// The prompt's last token goes into the first decode, with generation.
				run.evaluatedPromptTokens += inputTokens;
			}
			if (step.done) {
				finished = true;
				return;
			}
			if (run) {
				run.decodedTokens++;
			}
			input = yield step.value;
		}
	} finally {
		if (!finished) {
			await inner.return();
		}
	}
}
