import { looksLikeFiller } from './credentialHeuristics.js';
import { END, END_DASHED, prefixed, START } from './providerTokenRules.js';
import { patternRule, type SecretRule } from './secretRule.js';

/**
 * More tokens that announce themselves by a vendor prefix: developer platforms, hosting, CI and
 * package registries, observability, AI APIs, payments and productivity tools. Formats as the
 * vendors document them (and as secret scanners such as gitleaks match them).
 */

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

export const MORE_PROVIDER_TOKEN_RULES: readonly SecretRule[] = [
	// Developer platforms and hosting.
	prefixed('hashicorp-vault-token', 'HashiCorp Vault token', `hv[sb]\\.[A-Za-z0-9_-]{24,400}${END_DASHED}`),
	patternRule({
		kind: 'terraform-cloud-token',
		label: 'Terraform Cloud API token',
		pattern: new RegExp(`${START}[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_-]{60,70}${END_DASHED}`, 'gd'),
		requires: /\.atlasv1\./,
		accept: (value) => !looksLikeFiller(value),
	}),
	prefixed('pulumi-access-token', 'Pulumi access token', `pul-[a-f0-9]{40}${END}`),
	prefixed('doppler-token', 'Doppler token', `dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44}${END}`),
	prefixed('docker-hub-token', 'Docker Hub access token', `dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,40}${END_DASHED}`),
	prefixed('netlify-token', 'Netlify personal access token', `nfp_[A-Za-z0-9]{36,40}${END}`),
	prefixed('render-api-key', 'Render API key', `rnd_[A-Za-z0-9]{32}${END}`),
	prefixed('fly-io-token', 'Fly.io token', `(?:fo1_[A-Za-z0-9_-]{43}|fm[12][a-z]?_[A-Za-z0-9+/_-]{100,2000}={0,2})${END_DASHED}`),
	prefixed('supabase-token', 'Supabase access or secret key', `(?:sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{31,60})${END_DASHED}`),
	prefixed('planetscale-token', 'PlanetScale token or password', `pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_=.-]{32,64}${END_DASHED}`),
	prefixed('sourcegraph-token', 'Sourcegraph access token', `sgp_(?:[a-f0-9]{16}_)?[a-f0-9]{40}${END}`),
	prefixed('buildkite-token', 'Buildkite API token', `bkua_[a-f0-9]{40}${END}`),
	prefixed('infracost-api-key', 'Infracost API key', `ico-[A-Za-z0-9]{32}${END}`),
	prefixed('onepassword-service-account-token', '1Password service account token', `ops_eyJ[A-Za-z0-9+/_-]{100,2000}={0,2}${END_DASHED}`),
	// Package registries.
	prefixed('rubygems-api-key', 'RubyGems API key', `rubygems_[a-f0-9]{48}${END}`),
	prefixed('nuget-api-key', 'NuGet API key', `oy2[a-z0-9]{43}${END}`),
	prefixed('clojars-token', 'Clojars deploy token', `CLOJARS_[a-z0-9]{60}${END}`),
	// Observability.
	prefixed(
		'grafana-token',
		'Grafana service account or cloud token',
		`(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,2})${END}`,
	),
	prefixed('sentry-token', 'Sentry auth token', `(?:sntrys_eyJ[A-Za-z0-9+/=_-]{30,400}|sntryu_[a-f0-9]{64})${END_DASHED}`),
	prefixed('new-relic-key', 'New Relic API or license key', `(?:NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9_-]{32})${END_DASHED}`),
	// AI APIs.
	prefixed('groq-api-key', 'Groq API key', `gsk_[A-Za-z0-9]{52}${END}`),
	prefixed('xai-api-key', 'xAI API key', `xai-[A-Za-z0-9]{80}${END}`),
	prefixed('perplexity-api-key', 'Perplexity API key', `pplx-[A-Za-z0-9]{48}${END}`),
	prefixed('replicate-api-token', 'Replicate API token', `r8_[A-Za-z0-9]{37}${END}`),
	prefixed('langsmith-api-key', 'LangSmith API key', `lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}${END}`),
	prefixed('pinecone-api-key', 'Pinecone API key', `pcsk_[A-Za-z0-9]{4,8}_[A-Za-z0-9]{50,70}${END}`),
	// Productivity and collaboration.
	prefixed('linear-api-key', 'Linear API key', `lin_api_[A-Za-z0-9]{40}${END}`),
	prefixed('notion-token', 'Notion integration token', `(?:secret_[A-Za-z0-9]{43}|ntn_[0-9]{11}[A-Za-z0-9]{35})${END}`),
	prefixed('airtable-token', 'Airtable personal access token', `pat[A-Za-z0-9]{14}\\.[a-f0-9]{64}${END}`),
	prefixed('atlassian-api-token', 'Atlassian API token', `ATATT3[A-Za-z0-9_=-]{150,250}${END_DASHED}`),
	prefixed('figma-token', 'Figma personal access token', `figd_[A-Za-z0-9_-]{40,43}${END_DASHED}`),
	prefixed('dropbox-token', 'Dropbox access token', `sl\\.(?:u\\.)?[A-Za-z0-9_-]{130,1400}${END_DASHED}`),
	prefixed('asana-token', 'Asana personal access token', `[012]\\/\\d{10,20}(?:\\/\\d{10,20})?:[a-f0-9]{32}${END}`),
	prefixed('contentful-token', 'Contentful personal access token', `CFPAT-[A-Za-z0-9_-]{43}${END_DASHED}`),
	prefixed('typeform-token', 'Typeform personal access token', `tfp_[A-Za-z0-9_.=-]{59}${END_DASHED}`),
	prefixed('postman-api-key', 'Postman API key', `PMAK-[a-f0-9]{24}-[a-f0-9]{34}${END}`),
	prefixed('launchdarkly-key', 'LaunchDarkly SDK or API key', `(?:sdk|api)-${UUID}${END_DASHED}`),
	// Messaging and e-mail.
	patternRule({
		kind: 'mailchimp-api-key',
		label: 'Mailchimp API key',
		pattern: new RegExp(`${START}[0-9a-f]{32}-us\\d{1,2}${END}`, 'gd'),
		requires: /-us\d/,
		accept: (value) => !looksLikeFiller(value),
	}),
	prefixed('brevo-api-key', 'Brevo (Sendinblue) API key', `xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}${END}`),
	// Payments and commerce.
	prefixed(
		'braintree-access-token',
		'Braintree access token',
		`access_token\\$(?:production|sandbox)\\$[a-z0-9]{16}\\$[a-f0-9]{32}${END}`,
	),
	prefixed('shippo-api-token', 'Shippo API token', `shippo_(?:live|test)_[a-f0-9]{40}${END}`),
	prefixed('easypost-api-key', 'EasyPost API key', `EZ[AT]K[A-Za-z0-9]{54}${END}`),
	prefixed('flutterwave-secret-key', 'Flutterwave secret key', `FLWSECK(?:_TEST)?-[a-f0-9]{32}-X${END}`),
	// Clouds and their identity providers.
	prefixed('alibaba-access-key-id', 'Alibaba Cloud AccessKey ID', `LTAI[A-Za-z0-9]{12,20}${END}`),
	prefixed('tencent-secret-id', 'Tencent Cloud SecretId', `AKID[A-Za-z0-9]{32}${END}`),
	// Entra ID (Azure AD) client secrets carry 'Q~' after three characters and a digit.
	prefixed('azure-ad-client-secret', 'Microsoft Entra ID client secret', `[A-Za-z0-9_~.]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}${END_DASHED}`),
	prefixed('google-oauth-refresh-token', 'Google OAuth refresh token', `1\\/\\/0[A-Za-z0-9_-]{40,400}${END_DASHED}`),
	prefixed('google-oauth-access-token', 'Google OAuth access token', `ya29\\.[A-Za-z0-9_-]{50,2000}${END_DASHED}`),
	prefixed('facebook-access-token', 'Facebook access token', `EAA[A-Za-z0-9]{90,400}${END}`),
	prefixed('mapbox-secret-token', 'Mapbox secret token', `sk\\.eyJ[A-Za-z0-9_-]{20,200}\\.[A-Za-z0-9_-]{20,100}${END_DASHED}`),
	// An app-only bearer token opens with runs of 'A's (zero bytes in base64), which filler checks
	// reject, and holds URL-encoded '=', '+' or '/', which no identifier does.
	patternRule({
		kind: 'twitter-bearer-token',
		label: 'Twitter (X) app bearer token',
		pattern: new RegExp(`${START}A{20,24}[A-Za-z0-9%]{40,200}${END}`, 'gd'),
		accept: (value) => /%(?:3D|2B|2F)/.test(value) && !looksLikeFiller(value.replace(/A{4,}/g, '')),
	}),
];
