/** One secret found in a text: what it is, and where its value lies (the value only, never the name it is assigned to). */
export interface SecretFinding {
	/** Stable id of the secret's kind, e.g. 'aws-access-key-id'; it is what the redaction placeholder names. */
	readonly kind: string;
	/** Human-readable kind for the preview, e.g. 'AWS access key ID'. */
	readonly label: string;
	/** Offset of the secret value's first character (UTF-16 code units, as string and VS Code document offsets are). */
	readonly start: number;
	/** Offset just past the secret value's last character. */
	readonly end: number;
}

/** A text with its secrets replaced, and what was replaced (offsets into the original text). */
export interface RedactionResult {
	readonly text: string;
	readonly findings: readonly SecretFinding[];
}
