import { listPriceOf, PRICES_CHECKED, type ModelPrice } from './modelPrices.js';

export { estimateChatTokens, estimateTokens } from './tokenEstimate.js';

/** What an escalation may cost, shown in the preview before anything is sent. */
export interface CostEstimate {
	inputTokens: number;
	maxOutputTokens: number;
	/** Absent when the model's price is unknown (and no override is set): no guess is better than a wrong one. */
	usd?: { low: number; high: number };
	/** Where the price came from, for the preview, e.g. "your settings" or "Hearth's built-in list (gpt-4o, 2025-08)". */
	priceSource?: string;
}

/**
 * The input estimate over-counts on purpose (see estimateTokens); `low` takes that back by a
 * quarter and assumes a short answer, `high` is a ceiling: the estimate as it is plus every output
 * token the request allows (reasoning models bill their hidden reasoning as output, within the same limit).
 */
export function estimateCost(model: string, inputTokens: number, maxOutputTokens: number, override?: ModelPrice): CostEstimate {
	const estimate: CostEstimate = { inputTokens, maxOutputTokens };
	const listed = override ? undefined : listPriceOf(model);
	const price = override ?? listed?.price;
	if (!price || !validPrice(price)) {
		return estimate;
	}
	const usd = (input: number, output: number) => (input * price.inputPerMillion + output * price.outputPerMillion) / 1_000_000;
	const shortAnswer = Math.min(maxOutputTokens, 100);
	estimate.usd = { low: usd(inputTokens * 0.75, shortAnswer), high: usd(inputTokens, maxOutputTokens) };
	estimate.priceSource = override ? 'your settings' : `Hearth's built-in list (${listed!.key}, checked ${PRICES_CHECKED})`;
	return estimate;
}

function validPrice(price: ModelPrice): boolean {
	return (
		Number.isFinite(price.inputPerMillion) &&
		Number.isFinite(price.outputPerMillion) &&
		price.inputPerMillion >= 0 &&
		price.outputPerMillion >= 0
	);
}

/** A cost range for the preview: "$0.0012 – $0.031", with enough digits that small amounts do not read as zero. */
export function formatUsdRange(usd: { low: number; high: number }): string {
	return `$${formatUsd(usd.low)} – $${formatUsd(usd.high)}`;
}

function formatUsd(amount: number): string {
	if (amount === 0) {
		return '0';
	}
	if (amount >= 1) {
		return amount.toFixed(2);
	}
	// Two significant digits, in plain decimals (toPrecision would switch to exponents below 1e-6).
	const digits = Math.min(20, 1 - Math.floor(Math.log10(amount)));
	return amount.toFixed(digits).replace(/0+$/, '').replace(/\.$/, '');
}
