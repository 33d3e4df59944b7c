export { chooseCompletionMode, type CompletionContext, type CompletionMode } from './completionMode.js';
export { processCompletion, type CompletionStopReason, type ProcessedCompletion } from './processCompletion.js';
export { isProbablyBinary } from './binaryDetection.js';
export { sanitizeGenerated } from './sanitizeGenerated.js';
export { onlyDuplicatesSuffix, trimSuffixOverlap } from './suffixOverlap.js';
