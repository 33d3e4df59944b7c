import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_SOAK_MINUTES, DEFAULT_SOAK_SAMPLE_SECONDS, parseBenchOptions } from '../../src/bench/benchOptions.js';
import {
	FLAT_SLOPE_MIB_PER_10_MIN,
	leastSquaresSlope,
	MIN_FIT_SAMPLES,
	parseRssMiB,
	summarizeRss,
	type RssSample,
} from '../../src/bench/soak/rssCurve.js';
import { UsageError } from '../../src/tooling/cliArguments.js';

/** A synthetic curve: one sample every `everyS` seconds for `minutes`, rss from `rssAt(t)`. */
function curve(minutes: number, everyS: number, rssAt: (tS: number) => number): RssSample[] {
	const samples: RssSample[] = [];
	for (let tS = 0; tS <= minutes * 60; tS += everyS) {
		samples.push({ tS, rssMiB: rssAt(tS) });
	}
	return samples;
}

/** A deterministic ±amplitude wobble, like allocator noise. */
function wobble(tS: number, amplitude: number): number {
	return amplitude * Math.sin(tS * 1.7) * Math.cos(tS * 0.31);
}

describe('bench: soak RSS curve', function () {
	it('fits a straight line exactly by least squares', function () {
		assert.equal(
			leastSquaresSlope([
				{ x: 0, y: 1 },
				{ x: 1, y: 3 },
				{ x: 2, y: 5 },
			]),
			2,
		);
		assert.equal(leastSquaresSlope([{ x: 4, y: 1 }]), null);
		assert.equal(
			leastSquaresSlope([
				{ x: 4, y: 1 },
				{ x: 4, y: 9 },
			]),
			null,
			'no spread in x, no slope',
		);
	});

	it('calls a constant curve with noise flat, and reports start, end, peak and samples', function () {
		const samples = curve(30, 5, (tS) => 300 + wobble(tS, 4));
		const summary = summarizeRss(samples);
		assert.equal(summary.samples, 361);
		assert.equal(summary.startMiB, samples[0]!.rssMiB);
		assert.equal(summary.endMiB, samples.at(-1)!.rssMiB);
		assert.equal(summary.peakMiB, Math.max(...samples.map((sample) => sample.rssMiB)));
		assert.equal(summary.durationS, 1800);
		assert.ok(Math.abs(summary.slopeMiBPer10Min!) < 0.5, `slope ${summary.slopeMiBPer10Min}`);
		assert.equal(summary.verdict, 'flat');
		assert.equal(summary.thresholdMiBPer10Min, FLAT_SLOPE_MIB_PER_10_MIN);
	});

	it('fits only the second half: a warm-up climb followed by a plateau is flat', function () {
		const summary = summarizeRss(curve(30, 5, (tS) => (tS < 600 ? 200 + tS / 6 : 300) + wobble(tS, 1)));
		assert.equal(summary.fitSamples, 181, 'samples from minute 15 on');
		assert.ok(Math.abs(summary.slopeMiBPer10Min!) < 0.5, `slope ${summary.slopeMiBPer10Min}`);
		assert.equal(summary.verdict, 'flat');
		assert.ok(summary.peakMiB >= 300 && summary.startMiB < 201);
	});

	it('measures a steady leak in MiB per 10 minutes and calls it growing', function () {
		// 1 MiB a minute = 10 MiB per 10 minutes, under noise.
		const summary = summarizeRss(curve(30, 5, (tS) => 250 + tS / 60 + wobble(tS, 3)));
		assert.ok(Math.abs(summary.slopeMiBPer10Min! - 10) < 0.3, `slope ${summary.slopeMiBPer10Min}`);
		assert.equal(summary.verdict, 'growing');
	});

	it('puts the threshold on the slope: just below is flat, at it is growing; shrinking is flat', function () {
		const perSecond = (mibPer10Min: number) => (tS: number) => 300 + (mibPer10Min * tS) / 600;
		assert.equal(summarizeRss(curve(30, 5, perSecond(FLAT_SLOPE_MIB_PER_10_MIN * 0.9))).verdict, 'flat');
		assert.equal(summarizeRss(curve(30, 5, perSecond(FLAT_SLOPE_MIB_PER_10_MIN))).verdict, 'growing');
		assert.equal(summarizeRss(curve(30, 5, perSecond(-20))).verdict, 'flat');
		assert.equal(summarizeRss(curve(30, 5, perSecond(3)), 5).verdict, 'flat', 'a custom threshold');
	});

	it('a leak that starts late in the run is caught by the second-half fit', function () {
		const summary = summarizeRss(curve(30, 5, (tS) => (tS < 1200 ? 300 : 300 + (tS - 1200) / 30)));
		assert.ok(summary.slopeMiBPer10Min! > 10, `slope ${summary.slopeMiBPer10Min}`);
		assert.equal(summary.verdict, 'growing');
	});

	it('a run too short to fit is "too-short", never flat', function () {
		assert.equal(summarizeRss([]).verdict, 'too-short');
		assert.equal(summarizeRss([{ tS: 0, rssMiB: 300 }]).verdict, 'too-short');
		const short = summarizeRss(curve(1, 5, () => 300));
		assert.ok(short.fitSamples < MIN_FIT_SAMPLES);
		assert.equal(short.verdict, 'too-short');
	});

	it('reads VmRSS (not VmHWM) from /proc/PID/status, and this process has one', function () {
		assert.equal(parseRssMiB('Name:\tnode\nVmHWM:\t  900000 kB\nVmRSS:\t  307200 kB\n'), 300);
		assert.equal(parseRssMiB('Name:\tnode\n'), null);
		if (process.platform === 'linux') {
			const own = parseRssMiB(fs.readFileSync('/proc/self/status', 'utf8'));
			assert.ok(own !== null && own > 10);
		}
	});
});

describe('bench: --soak options', function () {
	it('defaults to the bundled model for 30 minutes, sampling every 5 s', function () {
		const options = parseBenchOptions(['--soak']);
		assert.ok(options !== 'help');
		assert.deepEqual(options.soak, { minutes: DEFAULT_SOAK_MINUTES, sampleEverySeconds: DEFAULT_SOAK_SAMPLE_SECONDS });
		assert.equal(DEFAULT_SOAK_MINUTES, 30);
		assert.equal(parseBenchOptions([]) !== 'help' && (parseBenchOptions([]) as { soak?: unknown }).soak, undefined);
	});

	it('takes --minutes (fractions too), --sample-every and one .gguf path', function () {
		const options = parseBenchOptions(['--soak', '--minutes', '0.5', '--sample-every', '2', '--models', 'some/model.gguf']);
		assert.ok(options !== 'help');
		assert.deepEqual(options.soak, { minutes: 0.5, sampleEverySeconds: 2, modelPath: path.resolve('some/model.gguf') });
	});

	it('refuses what does not belong to a soak', function () {
		assert.throws(() => parseBenchOptions(['--minutes', '5']), UsageError);
		assert.throws(() => parseBenchOptions(['--soak', '--minutes', '0']), UsageError);
		assert.throws(() => parseBenchOptions(['--soak', '--minutes', 'long']), UsageError);
		assert.throws(() => parseBenchOptions(['--soak', '--actions']), UsageError);
		assert.throws(() => parseBenchOptions(['--soak', '--models', '0.5b']), UsageError);
		assert.throws(() => parseBenchOptions(['--soak', '--models', 'a.gguf,b.gguf']), UsageError);
	});
});
