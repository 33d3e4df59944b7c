import assert from 'node:assert/strict';
import { detectSecrets, redactSecrets } from '../../src/extension/escalation/redaction/index.js';

/**
 * The shapes the first version missed (issue 15): each case is a line or block as it is written in
 * real code, with the values that must be found, in order. All values are made-up fakes.
 */

/** The values found in `text`, as [kind, value] pairs. */
function found(text: string): [string, string][] {
	return detectSecrets(text).map((finding) => [finding.kind, text.slice(finding.start, finding.end)]);
}

function assertFound(text: string, expected: [string, string][]): void {
	assert.deepEqual(found(text), expected, text);
	const redacted = redactSecrets(text).text;
	for (const [, value] of expected) {
		assert.ok(!redacted.includes(value), `${value} is gone from ${redacted}`);
	}
}

describe('secret redaction: the shapes the first version missed', function () {
	it('finds the password in SQLAlchemy URLs with a driver after the dialect', function () {
		assertFound('engine = create_engine("postgresql+psycopg2://app:Vq8nR2wLz5Tk@db.internal:5432/orders")', [
			['connection-string-password', 'Vq8nR2wLz5Tk'],
		]);
		assertFound("SQLALCHEMY_DATABASE_URI = 'mysql+pymysql://svc:h7Gd2Kq9Xw@10.0.3.7/app?charset=utf8mb4'", [
			['connection-string-password', 'h7Gd2Kq9Xw'],
		]);
		assertFound('url: mssql+pyodbc://sa:Pz4!kW9rQm@sqlhost/warehouse?driver=ODBC+Driver+18', [
			['connection-string-password', 'Pz4!kW9rQm'],
		]);
	});

	it('finds passwords passed by position: auth tuples, basic-auth helpers, curl -u, mysql -p', function () {
		assertFound('resp = requests.get(url, auth=("deploy", "Mq3vX8kLp2Zt"), timeout=10)', [['positional-password', 'Mq3vX8kLp2Zt']]);
		assertFound("session.auth = ('svc-reporting', 'Wd9!fK2mQx7s')", [['positional-password', 'Wd9!fK2mQx7s']]);
		assertFound('client = httpx.Client(auth=httpx.BasicAuth("ci", "R7tY2pLq9Vx4"))', [['positional-password', 'R7tY2pLq9Vx4']]);
		assertFound('req.SetBasicAuth("admin", "Jx5nW8qZr2Kd")', [['positional-password', 'Jx5nW8qZr2Kd']]);
		assertFound('curl -sS -u jenkins:Hn4kQ8wZx2Lp https://ci.internal/api/json', [['positional-password', 'Hn4kQ8wZx2Lp']]);
		assertFound('curl --user "deploy:T6vB9mQ2xKw7" -X POST https://nexus.internal/upload', [['positional-password', 'T6vB9mQ2xKw7']]);
		assertFound('mysqldump -h db.internal -u backup -pG4kW9xQ2mZr7 shop > shop.sql', [['positional-password', 'G4kW9xQ2mZr7']]);
	});

	it('leaves positional arguments that are not literal passwords alone', function () {
		for (const line of [
			'requests.get(url, auth=(user, password))',
			'curl -u "$USER:$TOKEN" https://ci.internal',
			'curl -u admin:admin http://localhost:8080',
			'curl -u user:password https://example.com',
			'mysql -u root -p shop',
			'auth = ("user", "")',
		]) {
			assert.deepEqual(found(line), [], line);
		}
	});

	it('finds a Twilio auth token passed to the client next to its account SID', function () {
		const sid = 'AC5f8e2d4c6b1a3f9e7d5c2b4a6f8e1d3c';
		const token = '9c4e7a1f3b8d2e6c5a9f0b7d3e1c8a4f';
		assertFound(`client = Client("${sid}", "${token}")`, [
			['twilio-account-sid', sid],
			['twilio-auth-token', token],
		]);
		assertFound(`// Twilio credentials\nconst twilioClient = twilio(accountSid, '${token}');`, [['twilio-auth-token', token]]);
	});

	it('finds the signature of an Azure SAS URL or token', function () {
		const sig = 'k7Q2mZ9xW4pL8vB3nR6tY1cF5hJ0dG2sA4eU7iO9%2Bw%3D';
		assertFound(
			`BLOB_URL = "https://acct.blob.core.windows.net/backups?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2026-01-01T00:00:00Z&spr=https&sig=${sig}"`,
			[['azure-sas-signature', sig]],
		);
		assertFound(`const sas = "sp=r&st=2025-03-01T10:00:00Z&se=2025-03-02T10:00:00Z&sv=2022-11-02&sr=c&sig=${sig}";`, [
			['azure-sas-signature', sig],
		]);
	});

	it('finds an Okta API token in an SSWS Authorization header', function () {
		const token = '00Qw3kV9zL2pX7mR4tY8nB1cF6hJ5dG0sA3eU9iO2w';
		assertFound(`headers = {"Authorization": "SSWS ${token}", "Accept": "application/json"}`, [['okta-api-token', token]]);
		assertFound(`curl -H 'Authorization: SSWS ${token}' https://acme.okta.com/api/v1/users`, [['okta-api-token', token]]);
	});

	it('finds a key split by string concatenation, every piece of it', function () {
		assertFound('const key = "sk_live_51Hq8" + "Zx2Lm9Vw4Rt7Kp3Nd6Bf";', [
			['stripe-live-secret-key', 'sk_live_51Hq8'],
			['stripe-live-secret-key', 'Zx2Lm9Vw4Rt7Kp3Nd6Bf'],
		]);
		assertFound('API_TOKEN = ("ghp_R8m2Kd9QwZ4xV7bN"\n             "1cL5tY3pH6sJ0fA2gE8u")', [
			['github-personal-access-token', 'ghp_R8m2Kd9QwZ4xV7bN'],
			['github-personal-access-token', '1cL5tY3pH6sJ0fA2gE8u'],
		]);
		assertFound('password := "Qx7m" +\n\t"Vb2kT9wz"', [
			['password-assignment', 'Qx7m'],
			['password-assignment', 'Vb2kT9wz'],
		]);
	});

	it('finds tokens inside comments', function () {
		assertFound('# API_KEY=4f9d8c7b6a5e3d2c1b0a9f8e\nAPI_KEY = os.environ["API_KEY"]', [
			['secret-assignment', '4f9d8c7b6a5e3d2c1b0a9f8e'],
		]);
		assertFound('// old token: Zk8mQ2vX9wL4pR7t (rotated)\n', [['secret-assignment', 'Zk8mQ2vX9wL4pR7t']]);
		assertFound('  # password: Wq7!xK2pL9\n  password: ${DB_PASSWORD}', [['password-assignment', 'Wq7!xK2pL9']]);
		assertFound('/* auth token Bq4vN8xK2mZ7wR3tL6pY */', [['secret-assignment', 'Bq4vN8xK2mZ7wR3tL6pY']]);
	});

	it('finds Kubernetes-style name/value environment pairs', function () {
		const yaml = [
			'        env:',
			'          - name: DATABASE_PASSWORD',
			'            value: "Xk29!mQzL4"',
			'          - name: LOG_LEVEL',
			'            value: debug',
			'          - name: STRIPE_WEBHOOK_TOKEN',
			'            value: Rt5wQ9zX2kLm8vBn',
		].join('\n');
		assertFound(yaml, [
			['password-assignment', 'Xk29!mQzL4'],
			['secret-assignment', 'Rt5wQ9zX2kLm8vBn'],
		]);
		assertFound('"environment": [{ "name": "API_SECRET", "value": "c8Fq2Lm9Xw4Vz7Kt" }, { "name": "PORT", "value": "8080" }]', [
			['secret-assignment', 'c8Fq2Lm9Xw4Vz7Kt'],
		]);
	});

	it('finds a literal next to a quoted secret name: define(), setenv, getenv defaults, fallbacks after a lookup', function () {
		assertFound("define( 'DB_PASSWORD', 'Hq7!vK2mZx9w' );", [['password-assignment', 'Hq7!vK2mZx9w']]);
		assertFound('os.Setenv("GITHUB_TOKEN", "x9Kq2mWv7LzR4tPb8nYc")', [['secret-assignment', 'x9Kq2mWv7LzR4tPb8nYc']]);
		assertFound('api_key = os.getenv("API_KEY", "4f9d8c7b6a5e3d2c1b0a9f8e")', [['secret-assignment', '4f9d8c7b6a5e3d2c1b0a9f8e']]);
		assertFound('System.setProperty("db.password", "Rz5!pW8kQm2v");', [['password-assignment', 'Rz5!pW8kQm2v']]);
		assertFound("const key = process.env.SHIPPING_API_KEY || 'c2Vq8Lm4Xw9Zt7Kp';", [['secret-assignment', 'c2Vq8Lm4Xw9Zt7Kp']]);
		assertFound('password = os.environ.get("DB_PASSWORD") or "Jn3!xQ7wKz5m"', [['password-assignment', 'Jn3!xQ7wKz5m']]);
		for (const line of [
			'define("AUTH_KEY", "put your unique phrase here");',
			'os.getenv("API_KEY", "")',
			'process.env.TOKEN ?? "changeme"',
			'settings.get("password_field", "password")',
		]) {
			assert.deepEqual(found(line), [], line);
		}
	});

	it('finds the password of .pgpass lines', function () {
		assertFound('db.internal:5432:orders:app_user:Nq7wX2kVz9Lm\n*:*:*:postgres:Bt4!mQ8zWx2\n', [
			['pgpass-password', 'Nq7wX2kVz9Lm'],
			['pgpass-password', 'Bt4!mQ8zWx2'],
		]);
		assertFound('echo "localhost:5432:*:replicator:Hz6vK3wQ9mLt" > ~/.pgpass', [['pgpass-password', 'Hz6vK3wQ9mLt']]);
	});

	it('leaves colon-separated lines that are no .pgpass alone', function () {
		for (const line of [
			'root:x:0:0:root:/root:/bin/bash',
			'12:30:45:00:000',
			'fe80:0:0:0:1',
			'a:1:b:c:password',
			'localhost:5432:db:user:*',
		]) {
			assert.deepEqual(found(line), [], line);
		}
	});
});

describe('secret redaction: real code that the wider rules must leave alone', function () {
	// Each line is from a real library in node_modules or Python's dist-packages that an earlier
	// draft of these rules redacted.
	const lines = [
		'            authkey=process.current_process().authkey)',
		'            key_password=self.key_password,',
		'            password=self.settings_dict["PASSWORD"],',
		'                access_token=request.resource_owner_key):',
		'    backend: "Backend", private_key: "_EllipticCurvePrivateKey", data: bytes',
		'processorArchitecture="*" publicKeyToken="1fc8b3b9a1e18e3b"',
		"SESSION_KEY = '_auth_user_id'",
		"        ('auth', '0003_alter_user_email_max_length'),",
		'            pat = r"-arch=compute_{0}{1}".format(*arch)',
		'        hostSalt = b"gJbSEPBG9ZSBoZpHNtZBD1bHKBA"',
		'    engine = create_engine("postgresql+psycopg2://scott:tiger@localhost/test")',
		'            "http://someuser:somepassword@example.com",',
		'    "http://wrong:info@127.0.0.1:8080/",',
		'        # tolerances atol and rtol adjusted to pass np.float32',
		'    # pkcs_9_at_pkcs15Token: PKCS15Token(),',
		"        'PWD=(whatever);'",
		'        password = "\\u0418secret"',
		'    password = 0x0000',
		"            'access_token': '2YotnFZFEjr1zCsicMWpAA',",
		'            d = self.client.login("test", "twisted")',
	];
	for (const line of lines) {
		it(`finds nothing in ${JSON.stringify(line.trim())}`, function () {
			assert.deepEqual(found(`${line}\n`), []);
		});
	}
});
