// `credHelpers`/`credsStore` end to end: a real docker-credential-* binary (hack/credential-helper, built on the
// upstream protocol library) gives the credentials for the token-auth registry of the harness.
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import {
  CredentialHelpers,
  fromOperatorDockerConfig,
  RegistryClient,
  RegistryError,
} from '../../../src/registry';
import { CRED_HELPER_TIMEOUT_MS, MAX_CRED_HELPER_OUTPUT_BYTES } from '../../../src/registry/limits';
import { loadHarness } from '../../harness/env';
import { pushRandomImage } from '../../harness/images';
import { tool } from '../../harness/tools';

const harness = loadHarness();
const t = harness.tokenAuth!;
const repo = { registry: t.host, repository: 'client/helper' };
const logLines: string[] = [];
const client = new RegistryClient({
  insecureRegistries: [],
  logger: pino({ level: 'trace' }, { write: (line: string) => logLines.push(line) }),
  userAgent: 'portcullis-test',
});
const dir = mkdtempSync(path.join(tmpdir(), 'cred-helpers-'));
const store = path.join(dir, 'store.json');
const savedStore = process.env.PORTCULLIS_TEST_CREDENTIALS;
let digest = '';

// script writes a stand-in helper that misbehaves: a Node program run by its shebang (with PATH set to `dir`
// alone, a shell script would find no sleep or yes).
function script(name: string, body: string): void {
  const file = path.join(dir, `docker-credential-${name}`);
  writeFileSync(file, `#!${process.execPath}\n${body}\n`);
  chmodSync(file, 0o755);
}

beforeAll(async () => {
  symlinkSync(tool('docker-credential-portcullis-test'), path.join(dir, 'docker-credential-file'));
  script('hang', 'setTimeout(() => undefined, 60_000);');
  script('flood', "const b = Buffer.alloc(65536, 'y'); const w = () => process.stdout.write(b, w); w();");
  script(
    'broken',
    "process.stderr.write('error getting credentials: the cloud said no\\n'); process.exit(3);",
  );
  script('garbage', "process.stdout.write('not json\\n');");
  script(
    'leaky',
    `process.stdout.write(JSON.stringify({ Username: 'u', Secret: 'leaked-${'s'.repeat(8)}' }) + '\\n'); process.exitCode = 1;`,
  );
  process.env.PORTCULLIS_TEST_CREDENTIALS = store;
  digest = (
    await pushRandomImage(t.host, repo.repository, 'v1', { username: t.username, password: t.password })
  ).digest;
});
afterAll(async () => {
  await client.close();
  if (savedStore === undefined) delete process.env.PORTCULLIS_TEST_CREDENTIALS;
  else process.env.PORTCULLIS_TEST_CREDENTIALS = savedStore;
  rmSync(dir, { recursive: true, force: true });
});

// resolveWith resolves the image with a --docker-config naming `config`'s helpers, searched in `dir` only.
function resolveWith(config: Record<string, unknown>) {
  const helpers = new CredentialHelpers({ searchPath: dir });
  const credentials = fromOperatorDockerConfig(JSON.stringify(config), helpers);
  return client.resolve(repo, 'v1', { deadline: Date.now() + 30_000, credentials });
}

// remember stores credentials for the registry in the file helper's store.
function remember(username: string, secret: string): void {
  writeFileSync(store, JSON.stringify({ [t.host]: { Username: username, Secret: secret } }));
}

describe('docker credential helpers against a token-auth registry', () => {
  it('pulls with the credentials credHelpers gives, and never logs the secret', async () => {
    remember(t.username, t.password);
    expect((await resolveWith({ credHelpers: { [t.host]: 'file' } })).digest).toBe(digest);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(t.password);
  });

  it('uses credsStore for a registry credHelpers does not name', async () => {
    remember(t.username, t.password);
    const config = { credHelpers: { 'elsewhere.example': 'hang' }, credsStore: 'file' };
    expect((await resolveWith(config)).digest).toBe(digest);
  });

  it('takes "<token>" as an identity token (OAuth2 refresh grant)', async () => {
    remember('<token>', t.refreshToken);
    expect((await resolveWith({ credsStore: 'file' })).digest).toBe(digest);
  });

  it('names the helper when the registry refuses its credentials', async () => {
    remember(t.username, 'wrong-password');
    await expect(resolveWith({ credsStore: 'file' })).rejects.toThrowWithCode('REGISTRY_UNAUTHORIZED', {
      instanceOf: RegistryError,
      message: ['credential helper docker-credential-file', expect.not.stringContaining('wrong-password')],
    });
  });

  it('goes anonymous when the helper has nothing for the registry (and the registry then says so)', async () => {
    writeFileSync(store, '{}');
    await expect(resolveWith({ credsStore: 'file' })).rejects.toThrowWithCode('REGISTRY_UNAUTHORIZED', {
      details: { hadCredentials: false },
    });
  });

  it.each([
    ['missing', 'missing', 'docker-credential-missing was not found on PATH'],
    ['failing', 'broken', 'exited with status 3: "error getting credentials: the cloud said no"'],
    ['flooding', 'flood', `more than ${MAX_CRED_HELPER_OUTPUT_BYTES} bytes on stdout`],
    ['answering garbage', 'garbage', 'its answer is not JSON'],
    [
      'failing after printing credentials',
      'leaky',
      'exited with status 1: "(output withheld: it looks like credentials)"',
    ],
  ])('fails with REGISTRY_CREDENTIAL_HELPER_FAILED for a %s helper', async (_name, helper, message) => {
    await expect(resolveWith({ credsStore: helper })).rejects.toThrowWithCode(
      'REGISTRY_CREDENTIAL_HELPER_FAILED',
      {
        instanceOf: RegistryError,
        message: [`docker-credential-${helper} for ${t.host}`, message],
        details: { registry: t.host, helper },
      },
    );
  });

  it(
    'kills a helper that hangs after CRED_HELPER_TIMEOUT_MS',
    async () => {
      const started = Date.now();
      await expect(resolveWith({ credsStore: 'hang' })).rejects.toThrowWithCode(
        'REGISTRY_CREDENTIAL_HELPER_FAILED',
        { message: `did not answer within ${CRED_HELPER_TIMEOUT_MS} ms; killed it` },
      );
      expect(Date.now() - started).toBeLessThan(CRED_HELPER_TIMEOUT_MS + 3_000);
    },
    CRED_HELPER_TIMEOUT_MS + 10_000,
  );

  it('never wrote a secret to the log', () => {
    const all = logLines.join('\n');
    expect(all).not.toContain(t.password);
    expect(all).not.toContain(t.refreshToken);
    expect(all).not.toContain('leaked-');
  });
});
