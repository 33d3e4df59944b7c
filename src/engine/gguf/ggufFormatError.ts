// One error type for every way a file can fail to be a usable GGUF, with a
// machine-readable reason so callers (and tests) need not match on wording.

export type GgufFormatErrorReason =
	/** The file does not start with the bytes "GGUF". */
	| 'bad-magic'
	/** A GGUF version this reader does not parse (v1, big-endian, or newer than v3). */
	| 'unsupported-version'
	/** The file ends before the header, metadata, tensor infos or tensor data it declares. */
	| 'truncated'
	/** The bytes are present but contradict the format (unknown type codes, bad offsets). */
	| 'corrupt';

export class GgufFormatError extends Error {
	override readonly name = 'GgufFormatError';

	constructor(
		readonly reason: GgufFormatErrorReason,
		message: string,
		readonly filePath?: string,
	) {
		super(filePath === undefined ? message : `${filePath}: ${message}`);
	}
}
