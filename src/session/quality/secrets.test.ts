import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { removeDir, tempDir, writeFiles } from '../fixture-projects.js';
import { scanForSecrets, scanText } from './secrets.js';

// Secret-shaped strings are assembled at run time so this file itself stays clean.
const PEM = ['-----BEGIN ', 'RSA PRIVATE KEY-----'].join('');
const SLACK = ['xox', 'b-1234567890-abcdefghij'].join('');
const PASSWORD_LINE = ['const password', ' = "s3cr3t-value-long-enough-1";'].join('');
const PW = ['S3cr3t', 'P4ssw0rdValue'].join('');
const AWS_SECRET = ['q8Zk3Lm9Pw2Xr7Tn5Vb1', 'Hc4Jd6Fg0Sa8Qe2Wy9Ui'].join('');
const STRIPE = ['sk_', 'live_', '51HqLyjWDarjtT1zdp7dcQa9Lm3Zk8Rt'].join('');
const GH = ['ghp_', 'a'.repeat(20), 'B'.repeat(16)].join('');

describe('scanText', () => {
  it('reports line and kind, one finding per line', () => {
    const text = `a\n${PEM}\n${PASSWORD_LINE}\n${SLACK}\n`;
    assert.deepEqual(scanText(text, 'f'), [
      { file: 'f', line: 2, kind: 'private key' },
      { file: 'f', line: 3, kind: 'hard-coded credential' },
      { file: 'f', line: 4, kind: 'Slack token' },
    ]);
  });
  it('finds prefixed credential names, bare config values and vendor keys (the user report)', () => {
    const py = [
      'import os',
      `DB_PASSWORD = "${PW}"`,
      `AWS_SECRET_ACCESS_KEY = "${AWS_SECRET}"`,
      `STRIPE_API_KEY = "${STRIPE}"`,
      `settings = {"api-key": "${PW}2"}`,
    ].join('\n');
    assert.deepEqual(
      scanText(py, 'settings.py').map((f) => [f.line, f.kind]),
      [
        [2, 'hard-coded credential'],
        [3, 'AWS secret access key'],
        [4, 'Stripe live key'],
        [5, 'hard-coded credential'],
      ],
    );
    const config = [`password: ${PW}1`, `  clientSecret: '${PW}'`, 'db:', `spring.datasource.password=${PW}`, `export GITHUB_TOKEN=${GH}`].join('\n');
    assert.deepEqual(
      scanText(config, 'config.yaml').map((f) => [f.line, f.kind]),
      [
        [1, 'hard-coded credential'],
        [2, 'hard-coded credential'],
        [4, 'hard-coded credential'],
        [5, 'GitHub token'],
      ],
    );
    assert.deepEqual(
      scanText(`API_TOKEN=${PW}\nPRIVATE_KEY_PASS=${PW}\n`, '.env').map((f) => f.line),
      [1, 2],
    );
  });
  it('does not flag typical non-secret code and config', () => {
    const py = [
      'password = request.form["password"]',
      'token = getToken()',
      'api_key = os.environ["API_KEY"]',
      'secret = os.getenv("SECRET", "")',
      'password_prompt = "Enter your password:"',
      'TOKEN_FIELD = "access_token"',
      'SECRET_KEY_ENV = "DJANGO_SECRET_KEY"',
      'token_url = "https://oauth2.googleapis.com/token"',
      'token_ttl = "86400000"',
      'tokenizer = "Bert2Tokenizer"',
      'if password == "Hunter2Hunter2":',
    ].join('\n');
    assert.deepEqual(scanText(py, 'app.py'), []);
    const ts = ['const token = getToken();', 'const password: string = input.password;', 'const apiKey = process.env.API_KEY ?? "";'].join('\n');
    assert.deepEqual(scanText(ts, 'app.ts'), []);
    const yaml = [
      'password: ${DB_PASSWORD}',
      'token: "{{ .Values.token }}"',
      'secret: changeme',
      'api_key: <your key>',
      'password_file: /run/secrets/db_password',
      'password:',
      'access_key: ""',
      'private_key: *default_key',
      `stripe: ${['sk_', 'test_', 'a'.repeat(24)].join('')}`,
    ].join('\n');
    assert.deepEqual(scanText(yaml, 'config.yaml'), []);
  });
  it('finds typed declarations and passwords in URLs, not their placeholders', () => {
    const py = [`password: str = "${PW}"`, `DATABASE_URL = "postgres://app:${PW}@db.internal:5432/app"`, 'token: Optional[str] = None'].join('\n');
    assert.deepEqual(
      scanText(py, 'settings.py').map((f) => [f.line, f.kind]),
      [
        [1, 'hard-coded credential'],
        [2, 'credentials in a URL'],
      ],
    );
    const ts = [`const apiKey: string = '${PW}';`, `redis: "redis://:${PW}@cache:6379"`].join('\n');
    assert.deepEqual(
      scanText(ts, 'app.ts').map((f) => f.line),
      [1, 2],
    );
    const clean = [
      'url = "postgres://app:${DB_PASSWORD}@db/app"',
      'url = "postgres://sb:secret@db.internal/sb"',
      'url = "postgres://postgres@127.0.0.1:5432/test"',
      'url = "https://user:***@example.org/"',
      'password: str = ""',
      'def login(password: str = DEFAULT) -> None:',
    ].join('\n');
    assert.deepEqual(scanText(clean, 'app.py'), []);
  });

  it('ignores placeholders and short values', () => {
    assert.deepEqual(scanText('api_key = "your-api-key-here-1234"\npassword = "short"\nsecret: "${SECRET_FROM_ENV_VAR}"', 'f'), []);
  });
});

describe('scanForSecrets', () => {
  it('finds the secrets of a Python settings file and an unquoted YAML password', async () => {
    const root = tempDir('scan-settings');
    try {
      writeFiles(root, {
        'settings.py': `DEBUG = False\nDB_PASSWORD = "${PW}"\nAWS_SECRET_ACCESS_KEY = "${AWS_SECRET}"\nSTRIPE_API_KEY = "${STRIPE}"\n`,
        'config.yaml': `db:\n  user: app\n  password: ${PW}1\n`,
        'app.py': 'password = request.form["password"]\ntoken = getToken()\n',
        'compose.yaml': 'environment:\n  password: ${DB_PASSWORD}\n',
      });
      const scan = await scanForSecrets(root, ['settings.py', 'config.yaml', 'app.py', 'compose.yaml']);
      assert.deepEqual(scan.findings, [
        { file: 'settings.py', line: 2, kind: 'hard-coded credential' },
        { file: 'settings.py', line: 3, kind: 'AWS secret access key' },
        { file: 'settings.py', line: 4, kind: 'Stripe live key' },
        { file: 'config.yaml', line: 3, kind: 'hard-coded credential' },
      ]);
    } finally {
      removeDir(root);
    }
  });
  it('skips binaries, lockfiles, large files and dependency dirs; honours the file cap', async () => {
    const root = tempDir('scan');
    try {
      writeFiles(root, {
        'a.txt': `${PEM}\n`,
        'b.txt': 'clean\n',
        'c.txt': 'clean\n',
        'package-lock.json': `${PEM}\n`,
        'node_modules/x/index.js': `${PEM}\n`,
        'img.png': 'x',
      });
      fs.writeFileSync(`${root}/bin.dat`, Buffer.from([1, 0, 2, 3]));
      fs.writeFileSync(`${root}/big.txt`, 'x'.repeat(1024 * 1024 + 1));
      const files = ['a.txt', 'b.txt', 'c.txt', 'package-lock.json', 'node_modules/x/index.js', 'img.png', 'bin.dat', 'big.txt'];
      const all = await scanForSecrets(root, files);
      assert.deepEqual(all.findings, [{ file: 'a.txt', line: 1, kind: 'private key' }]);
      assert.equal(all.scanned, 3);
      assert.deepEqual(all.skipped, { binary: 2, large: 1, lockfile: 1, excludedDir: 1, unreadable: 0 });
      const capped = await scanForSecrets(root, ['b.txt', 'c.txt', 'a.txt'], { maxFiles: 2 });
      assert.equal(capped.scanned, 2);
      assert.equal(capped.notScannedDueToCap, 1);
      assert.deepEqual(capped.findings, []);
    } finally {
      removeDir(root);
    }
  });
});
