export type { FimFamily, FimInput, FimTemplate, PromptPiece } from './fimTypes.js';
export { joinPieces, renderPromptForDisplay, special, text } from './promptPieces.js';
export {
	CODELLAMA_MARKERS,
	CODELLAMA_SENTENCEPIECE_MARKERS,
	type CodeLlamaMarkers,
	type DeclaredFimTokens,
	codeGemmaTemplate,
	codeLlamaSpmTemplate,
	codeLlamaTemplate,
	codestralTemplate,
	createCodeLlamaTemplate,
	createDeclaredFimTemplate,
	createQwenCoderTemplate,
	createStarCoder2Template,
	createStarCoderTemplate,
	deepSeekCoderTemplate,
	prefixOnlyTemplate,
	qwenCoderTemplate,
	starCoder2Template,
	starCoderSpmTemplate,
	starCoderTemplate,
} from './templates.js';
export { type FimDetection, type ModelVocabProbe, detectFimTemplate } from './detectFamily.js';
