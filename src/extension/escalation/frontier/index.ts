export { AuditLog, formatAuditLog, type AuditEntry } from './auditLog.js';
export { estimateCost, estimateTokens, formatUsdRange, type CostEstimate } from './costEstimate.js';
export { isRewriteTask, type EscalationTask, type EscalationTaskKind } from './escalationTask.js';
export { extractRewrite, type ExtractedRewrite } from './extractRewrite.js';
export {
	FrontierError,
	streamFrontierAnswer,
	type FrontierAnswer,
	type FrontierEndpoint,
	type FrontierErrorKind,
	type StreamOptions,
} from './frontierClient.js';
export { buildOutgoingRequest, formatPreview, type OutgoingMessage, type OutgoingRequest } from './outgoingRequest.js';
export { DEFAULT_RETRY, type RetryOptions } from './retryPolicy.js';
