export { RecentChunks, type ChunkSource, type RecentChunk } from './recentChunks.js';
export { jaccard, similarChunks, wordsOf, type SimilarChunk, type SimilarChunkOptions } from './similarChunks.js';
export { selectExtraContext, type ExtraContext, type ExtraContextChunk, type ExtraContextInput } from './selectExtraContext.js';
