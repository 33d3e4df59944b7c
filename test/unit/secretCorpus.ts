import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { seededRandom } from '../../src/tooling/seededRandom.js';

/**
 * The generated corpus of realistic secrets: templates of real-looking code and configuration in
 * test/fixtures/secrets/corpus/ hold slots ('{{github-personal-access-token}}'), and each slot is
 * filled with a fresh fake of that kind, drawn from a seeded generator, so the corpus is the same
 * on every run and no real secret is ever written down. Values have their kind's shape: alphabet,
 * length, prefix, and where the kind has one, its checksum or structure (GitHub's and npm's CRC32,
 * age's bech32, a JWT's signed JSON, Basic's base64 'user:password', a PKCS#8 key's DER).
 *
 * Slot syntax: '{{kind}}' is one secret; '{{kind@1/2}}' and '{{kind@2/2}}' are the two halves of
 * one secret split across joined string literals.
 */

export const CORPUS_DIRECTORY = path.join(repoRoot, 'test', 'fixtures', 'secrets', 'corpus');

export interface CorpusSecret {
	/** The generator's kind: what the secret is (not necessarily the detector's name for it). */
	readonly kind: string;
	readonly value: string;
	/** The pieces written into the text when the secret is split; [value] otherwise. */
	readonly pieces: readonly string[];
}

export interface CorpusFile {
	readonly name: string;
	/** The language or format, from the template's extension (before '.tmpl'). */
	readonly language: string;
	readonly text: string;
	readonly secrets: readonly CorpusSecret[];
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';
const BASE62 = DIGITS + UPPER + LOWER;
const HEX = '0123456789abcdef';
const BASE64URL = `${BASE62}-_`;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

class Draw {
	constructor(private readonly random: () => number) {}

	from(alphabet: string, length: number): string {
		let out = '';
		for (let i = 0; i < length; i++) {
			out += alphabet[Math.floor(this.random() * alphabet.length)];
		}
		return out;
	}

	bytes(length: number): Buffer {
		return Buffer.from(Array.from({ length }, () => Math.floor(this.random() * 256)));
	}

	/** Random base62 that holds all three classes (as any long random token does) and no run of one character. */
	mixed(length: number, alphabet = BASE62): string {
		for (;;) {
			const value = this.from(alphabet, length);
			if (/[a-z]/.test(value) && /[A-Z]/.test(value) && /[0-9]/.test(value) && !/(.)\1\1/.test(value)) {
				return value;
			}
		}
	}

	hex(length: number): string {
		for (;;) {
			const value = this.from(HEX, length);
			if (/[a-f]/.test(value) && /[0-9]/.test(value) && !/(.)\1\1/.test(value)) {
				return value;
			}
		}
	}

	digits(length: number): string {
		return String(1 + Math.floor(this.random() * 9)) + this.from(DIGITS, length - 1);
	}

	uuid(): string {
		const hex = this.hex(32);
		return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
	}

	/** A strong password as a password manager makes one: a letter, then letters, digits and a few symbols. */
	password(length = 16): string {
		for (;;) {
			const value = this.from(UPPER + LOWER, 1) + this.from(`${BASE62}!#%^*_-+=~`, length - 1);
			if (/[a-z]/.test(value) && /[A-Z]/.test(value) && /[0-9]/.test(value) && /[^A-Za-z0-9]/.test(value) && !/(.)\1/.test(value)) {
				return value;
			}
		}
	}
}

/** CRC32 (IEEE), as GitHub and npm use for the checksum at the end of their tokens. */
function crc32(text: string): number {
	let crc = 0xffffffff;
	for (const byte of Buffer.from(text)) {
		crc ^= byte;
		for (let k = 0; k < 8; k++) {
			crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
		}
	}
	return (crc ^ 0xffffffff) >>> 0;
}

function base62(value: number, width: number): string {
	let out = '';
	for (let i = 0; i < width; i++) {
		out = BASE62[value % 62] + out;
		value = Math.floor(value / 62);
	}
	return out;
}

/** 'ghp_' + 30 random + 6 of CRC32 in base62: the token format GitHub introduced in 2021 (npm's is the same). */
function checksummedToken(draw: Draw, prefix: string): string {
	const random = draw.mixed(30);
	return `${prefix}${random}${base62(crc32(random), 6)}`;
}

function bech32Polymod(values: number[]): number {
	const generators = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
	let checksum = 1;
	for (const value of values) {
		const top = checksum >>> 25;
		checksum = ((checksum & 0x1ffffff) << 5) ^ value;
		generators.forEach((generator, i) => {
			if ((top >>> i) & 1) {
				checksum ^= generator;
			}
		});
	}
	return checksum;
}

/** An age identity: bech32 of 32 random bytes under the 'age-secret-key-' prefix, upper-cased, with a valid checksum. */
function ageSecretKey(draw: Draw): string {
	const hrp = 'age-secret-key-';
	const bytes = draw.bytes(32);
	const data: number[] = [];
	let accumulator = 0;
	let bits = 0;
	for (const byte of bytes) {
		accumulator = (accumulator << 8) | byte;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			data.push((accumulator >>> bits) & 31);
		}
	}
	if (bits > 0) {
		data.push((accumulator << (5 - bits)) & 31);
	}
	const expanded = [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31)];
	const polymod = bech32Polymod([...expanded, ...data, 0, 0, 0, 0, 0, 0]) ^ 1;
	const checksum = Array.from({ length: 6 }, (_, i) => (polymod >>> (5 * (5 - i))) & 31);
	return `${hrp}1${[...data, ...checksum].map((d) => BECH32[d]).join('')}`.toUpperCase();
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** A JWT signed with HS256 by a random key: header, claims and signature all real. */
function jwt(draw: Draw): string {
	const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
	const claims = base64url(
		JSON.stringify({ sub: draw.digits(6), role: 'service', iat: 1714000000 + Number(draw.digits(6)), exp: 1900000000 }),
	);
	const signature = crypto.createHmac('sha256', draw.bytes(32)).update(`${header}.${claims}`).digest('base64url');
	return `${header}.${claims}.${signature}`;
}

function pem(label: string, der: Buffer): string {
	const body = der
		.toString('base64')
		.match(/.{1,64}/g)!
		.join('\n');
	return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;
}

/** An Ed25519 key in PKCS#8: a fixed DER prefix and the 32-byte seed, which is all such a key is (Node can load it). */
function ed25519PrivateKey(draw: Draw): string {
	return pem('PRIVATE KEY', Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), draw.bytes(32)]));
}

/** A P-256 key in SEC1 ('EC PRIVATE KEY'): version, the 32-byte scalar and the curve's OID. */
function ecPrivateKey(draw: Draw): string {
	const der = Buffer.concat([Buffer.from('30310201010420', 'hex'), draw.bytes(32), Buffer.from('a00a06082a8648ce3d030107', 'hex')]);
	return pem('EC PRIVATE KEY', der);
}

/** A Discord bot token: the bot's snowflake ID in base64, a timestamp, an HMAC. */
function discordBotToken(draw: Draw): string {
	const id = `9${draw.digits(17)}`;
	return `${Buffer.from(id).toString('base64url')}.${draw.mixed(6, BASE64URL)}.${draw.mixed(38, BASE64URL)}`;
}

type Generator = (draw: Draw) => string;

/** Every kind the corpus draws from, with how a fake of it is made. */
export const GENERATORS: Readonly<Record<string, Generator>> = {
	// Clouds.
	'aws-access-key-id': (d) => `AKIA${d.from(BASE32, 16)}`,
	'aws-secret-access-key': (d) => d.mixed(40, `${BASE62}/+`),
	'aws-session-token': (d) => `IQoJb3JpZ2luX2VjE${d.bytes(180).toString('base64')}`,
	'azure-storage-account-key': (d) => d.bytes(64).toString('base64'),
	'azure-service-bus-key': (d) => d.bytes(32).toString('base64'),
	'azure-sas-signature': (d) => encodeURIComponent(d.bytes(32).toString('base64')),
	'azure-ad-client-secret': (d) => `${d.mixed(3)}${d.from(DIGITS, 1)}Q~${d.mixed(34, `${BASE62}_~.-`)}`,
	'azure-openai-key': (d) => d.hex(32),
	'google-api-key': (d) => `AIza${d.mixed(35, BASE64URL)}`,
	'google-oauth-client-secret': (d) => `GOCSPX-${d.mixed(28, BASE64URL)}`,
	'google-oauth-refresh-token': (d) => `1//0${d.mixed(101, BASE64URL)}`,
	'google-oauth-access-token': (d) => `ya29.a0${d.mixed(150, BASE64URL)}`,
	'alibaba-access-key-id': (d) => `LTAI${d.mixed(20)}`,
	'tencent-secret-id': (d) => `AKID${d.mixed(32)}`,
	'digitalocean-token': (d) => `dop_v1_${d.hex(64)}`,
	'heroku-api-key': (d) => d.uuid(),
	'cloudflare-api-token': (d) => d.mixed(40, BASE64URL),
	// In the service account's JSON file, the PEM's line breaks are '\n' escapes.
	'gcp-service-account-key': (d) => ed25519PrivateKey(d).replace(/\n/g, '\\n'),
	// Source control, CI and registries.
	'github-personal-access-token': (d) => checksummedToken(d, 'ghp_'),
	'github-oauth-token': (d) => checksummedToken(d, 'gho_'),
	'github-app-token': (d) => checksummedToken(d, 'ghs_'),
	'github-fine-grained-token': (d) => `github_pat_${d.mixed(22)}_${d.mixed(59)}`,
	'github-webhook-secret': (d) => d.hex(40),
	'gitlab-token': (d) => `glpat-${d.mixed(20, BASE64URL)}`,
	'gitlab-runner-token': (d) => `glrt-${d.mixed(20, BASE64URL)}`,
	'npm-token': (d) => checksummedToken(d, 'npm_'),
	'pypi-token': (d) => `pypi-AgEIcHlwaS5vcmc${d.mixed(120, BASE64URL)}`,
	'rubygems-api-key': (d) => `rubygems_${d.hex(48)}`,
	'nuget-api-key': (d) => `oy2${d.from(LOWER + DIGITS, 43)}`,
	'docker-hub-token': (d) => `dckr_pat_${d.mixed(27, BASE64URL)}`,
	'azure-devops-pat': (d) => d.from('abcdefghijklmnopqrstuvwxyz234567', 52),
	'terraform-cloud-token': (d) => `${d.mixed(14)}.atlasv1.${d.mixed(67, BASE64URL)}`,
	'hashicorp-vault-token': (d) => `hvs.${d.mixed(90, BASE64URL)}`,
	'pulumi-access-token': (d) => `pul-${d.hex(40)}`,
	'doppler-token': (d) => `dp.pt.${d.mixed(43)}`,
	'buildkite-token': (d) => `bkua_${d.hex(40)}`,
	'fly-io-token': (d) => `fo1_${d.mixed(43, BASE64URL)}`,
	'sourcegraph-token': (d) => `sgp_${d.hex(16)}_${d.hex(40)}`,
	'infracost-api-key': (d) => `ico-${d.mixed(32)}`,
	'onepassword-service-account-token': (d) => `ops_eyJ${d.mixed(300, BASE64URL)}`,
	'clojars-token': (d) => `CLOJARS_${d.from(LOWER + DIGITS, 60)}`,
	'git-https-password': (d) => d.password(),
	// Hosting and databases.
	'netlify-token': (d) => `nfp_${d.mixed(36)}`,
	'vercel-token': (d) => d.mixed(24),
	'render-api-key': (d) => `rnd_${d.mixed(32)}`,
	'supabase-token': (d) => `sbp_${d.hex(40)}`,
	'planetscale-token': (d) => `pscale_tkn_${d.mixed(43)}`,
	'databricks-token': (d) => `dapi${d.hex(32)}`,
	'postgres-password': (d) => d.password(),
	'mysql-password': (d) => d.password(14),
	'mongodb-password': (d) => d.password(18),
	'redis-password': (d) => d.mixed(32),
	'rabbitmq-password': (d) => d.password(),
	'pgpass-password': (d) => d.password(),
	'snowflake-password': (d) => d.password(20),
	// Observability.
	'datadog-api-key': (d) => d.hex(32),
	'datadog-app-key': (d) => d.hex(40),
	'sentry-token': (d) => `sntryu_${d.hex(64)}`,
	'new-relic-key': (d) => `NRAK-${d.from(UPPER + DIGITS, 27)}`,
	'grafana-token': (d) => `glsa_${d.mixed(32)}_${d.hex(8)}`,
	// AI APIs.
	'openai-api-key': (d) => `sk-proj-${d.mixed(156, BASE64URL)}`,
	'anthropic-api-key': (d) => `sk-ant-api03-${d.mixed(93, BASE64URL)}AA`,
	'huggingface-token': (d) => `hf_${d.mixed(34)}`,
	'groq-api-key': (d) => `gsk_${d.mixed(52)}`,
	'xai-api-key': (d) => `xai-${d.mixed(80)}`,
	'perplexity-api-key': (d) => `pplx-${d.mixed(48)}`,
	'replicate-api-token': (d) => `r8_${d.mixed(37)}`,
	'langsmith-api-key': (d) => `lsv2_pt_${d.hex(32)}_${d.hex(10)}`,
	'pinecone-api-key': (d) => `pcsk_${d.mixed(5)}_${d.mixed(63)}`,
	'mistral-api-key': (d) => d.mixed(32),
	'cohere-api-key': (d) => d.mixed(40),
	// Messaging and e-mail.
	'slack-bot-token': (d) => `xoxb-${d.digits(12)}-${d.digits(13)}-${d.mixed(24)}`,
	'slack-user-token': (d) => `xoxp-${d.digits(12)}-${d.digits(12)}-${d.digits(13)}-${d.hex(32)}`,
	'slack-webhook-url': (d) => `T${d.from(UPPER + DIGITS, 8)}/B${d.from(UPPER + DIGITS, 10)}/${d.mixed(24)}`,
	'discord-bot-token': discordBotToken,
	'discord-webhook-token': (d) => d.mixed(68, BASE64URL),
	'telegram-bot-token': (d) => `${d.digits(10)}:AA${d.mixed(33, BASE64URL)}`,
	'twilio-account-sid': (d) => `AC${d.hex(32)}`,
	'twilio-auth-token': (d) => d.hex(32),
	'twilio-api-key': (d) => `SK${d.hex(32)}`,
	'sendgrid-api-key': (d) => `SG.${d.mixed(22, BASE64URL)}.${d.mixed(43, BASE64URL)}`,
	'mailgun-api-key': (d) => `key-${d.hex(32)}`,
	'mailchimp-api-key': (d) => `${d.hex(32)}-us${1 + Math.floor(d.bytes(1)[0]! / 13)}`,
	'brevo-api-key': (d) => `xkeysib-${d.hex(64)}-${d.mixed(16)}`,
	'firebase-cloud-messaging-key': (d) => `AAAA${d.mixed(7, BASE64URL)}:APA91b${d.mixed(134, BASE64URL)}`,
	'smtp-password': (d) => d.password(),
	// Payments and commerce.
	'stripe-live-secret-key': (d) => `sk_live_51${d.mixed(97)}`,
	'stripe-test-secret-key': (d) => `sk_test_51${d.mixed(97)}`,
	'stripe-restricted-key': (d) => `rk_live_51${d.mixed(97)}`,
	'stripe-webhook-secret': (d) => `whsec_${d.mixed(32)}`,
	'square-access-token': (d) => `sq0atp-${d.mixed(22, BASE64URL)}`,
	'shopify-access-token': (d) => `shpat_${d.hex(32)}`,
	'braintree-access-token': (d) => `access_token$production$${d.from(LOWER + DIGITS, 16)}$${d.hex(32)}`,
	'shippo-api-token': (d) => `shippo_live_${d.hex(40)}`,
	'easypost-api-key': (d) => `EZAK${d.mixed(54)}`,
	'flutterwave-secret-key': (d) => `FLWSECK-${d.hex(32)}-X`,
	// Productivity and collaboration.
	'linear-api-key': (d) => `lin_api_${d.mixed(40)}`,
	'notion-token': (d) => `ntn_${d.digits(11)}${d.mixed(35)}`,
	'airtable-token': (d) => `pat${d.mixed(14)}.${d.hex(64)}`,
	'atlassian-api-token': (d) => `ATATT3xFfGF0${d.mixed(180, BASE64URL)}`,
	'figma-token': (d) => `figd_${d.mixed(40, BASE64URL)}`,
	'dropbox-token': (d) => `sl.${d.mixed(138, BASE64URL)}`,
	'asana-token': (d) => `2/${d.digits(16)}/${d.digits(16)}:${d.hex(32)}`,
	'contentful-token': (d) => `CFPAT-${d.mixed(43, BASE64URL)}`,
	'postman-api-key': (d) => `PMAK-${d.hex(24)}-${d.hex(34)}`,
	'typeform-token': (d) => `tfp_${d.mixed(59, BASE64URL)}`,
	'okta-api-token': (d) => `00${d.mixed(40, BASE64URL)}`,
	'launchdarkly-key': (d) => `sdk-${d.uuid()}`,
	'facebook-access-token': (d) => `EAAG${d.mixed(180)}`,
	'twitter-bearer-token': (d) => `AAAAAAAAAAAAAAAAAAAAA${d.mixed(14)}%3D${d.mixed(50)}`,
	'mapbox-secret-token': (d) => `sk.eyJ1Ijoi${d.mixed(40, BASE64URL)}.${d.mixed(22, BASE64URL)}`,
	'algolia-admin-key': (d) => d.hex(32),
	// Application secrets.
	jwt: jwt,
	'jwt-signing-secret': (d) => d.bytes(48).toString('base64'),
	'django-secret-key': (d) => d.from(`${LOWER}${DIGITS}!@#$%^&*(-_=+)`, 50),
	'rails-secret-key-base': (d) => d.hex(128),
	'session-secret': (d) => d.mixed(48),
	'encryption-key': (d) => d.bytes(32).toString('base64'),
	'oauth-client-secret': (d) => d.mixed(40, BASE64URL),
	'private-key-ed25519': ed25519PrivateKey,
	'private-key-ec': ecPrivateKey,
	'age-secret-key': ageSecretKey,
	'basic-auth-credentials': (d) => Buffer.from(`svc-${d.from(LOWER, 6)}:${d.password()}`).toString('base64'),
	'bearer-token': (d) => d.mixed(48, BASE64URL),
	'ldap-bind-password': (d) => d.password(),
	'keystore-password': (d) => d.password(),
	'registry-password': (d) => d.password(),
	'admin-password': (d) => d.password(),
	'wordpress-db-password': (d) => d.password(20),
	// WordPress's salt generator draws 64 printable characters; quotes and backslashes are left out here, as a config file escapes them.
	'wordpress-salt': (d) => d.from(`${BASE62}!#$%&()*+,-./:;<=>?@[]^_{|}~`, 64),
};

const SLOT = /\{\{([a-z0-9-]+)(?:@([12])\/2)?\}\}/g;

function language(name: string): string {
	const base = name.replace(/\.tmpl$/, '');
	const extension = path.extname(base).slice(1);
	return extension || base.replace(/^\./, '');
}

/** The corpus, from the templates in name order with one seeded generator, so every run draws the same values. */
export function buildCorpus(seed = 0x48e4a7): CorpusFile[] {
	const draw = new Draw(seededRandom(seed));
	const names = fs
		.readdirSync(CORPUS_DIRECTORY)
		.filter((name) => name.endsWith('.tmpl'))
		.sort();
	return names.map((name) => {
		const template = fs.readFileSync(path.join(CORPUS_DIRECTORY, name), 'utf8');
		const secrets: CorpusSecret[] = [];
		let pendingHalf: string | undefined;
		const text = template.replace(SLOT, (_slot, kind: string, half: string | undefined) => {
			const generate = GENERATORS[kind];
			if (generate === undefined) {
				throw new Error(`${name}: no generator for ${kind}`);
			}
			if (half === '2') {
				if (pendingHalf === undefined) {
					throw new Error(`${name}: ${kind}@2/2 without @1/2`);
				}
				const second = pendingHalf;
				pendingHalf = undefined;
				return second;
			}
			const value = generate(draw);
			if (half === '1') {
				const cut = Math.floor(value.length / 2);
				secrets.push({ kind, value, pieces: [value.slice(0, cut), value.slice(cut)] });
				pendingHalf = value.slice(cut);
				return value.slice(0, cut);
			}
			secrets.push({ kind, value, pieces: [value] });
			return value;
		});
		return { name: name.replace(/\.tmpl$/, ''), language: language(name), text, secrets };
	});
}
