/**
 * The held-out split, by file: a file is held out when a hash of its identity (origin and path)
 * falls below the fraction. It depends on nothing else (not the seed, not the budget, not which
 * other files exist), so a file that is held out stays held out when the corpus is rebuilt bigger,
 * and the evaluation never scores the model on a file it trained on.
 */
import { unitInterval } from './stableHash.js';

export const DEFAULT_HELDOUT_FRACTION = 0.02;

export type Split = 'train' | 'heldout';

export function splitOf(origin: string, relativePath: string, heldoutFraction = DEFAULT_HELDOUT_FRACTION): Split {
	return unitInterval(`heldout:${origin}/${relativePath}`) < heldoutFraction ? 'heldout' : 'train';
}
