// `portcullis verify --docker-config` whose `credsStore` / `credHelpers` name a real docker-credential-* binary
// (hack/credential-helper, built on the upstream protocol library): the CLI reaches a token-auth registry with the
// helper's credentials and judges a cosign-signed image, and never prints the secret.
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPortcullis } from '../../harness/cli';
import { cosignSign, generateCosignKey } from '../../harness/cosign';
import { loadHarness } from '../../harness/env';
import { pushRandomImage } from '../../harness/images';
import { tool } from '../../harness/tools';
import { cosignPolicy } from '../../harness/webhook';

const t = loadHarness().tokenAuth!;
const login = { host: t.host, username: t.username, password: t.password };
let dir = '';
let signed = '';
let unsigned = '';
/** The CLI's environment: the helper folder first on PATH, and the helper's JSON-file store. */
let env: NodeJS.ProcessEnv = {};

jest.setTimeout(120_000);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-cli-cred-helper-'));
  await symlink(tool('docker-credential-portcullis-test'), path.join(dir, 'docker-credential-file'));
  const store = path.join(dir, 'store.json');
  await writeFile(store, JSON.stringify({ [t.host]: { Username: t.username, Secret: t.password } }));
  env = {
    ...process.env,
    PORTCULLIS_TEST_CREDENTIALS: store,
    PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}`,
  };
  const key = await generateCosignKey();
  signed = (await pushRandomImage(t.host, 'cli/helper', 'signed', login)).ref;
  unsigned = (await pushRandomImage(t.host, 'cli/helper', 'unsigned', login)).ref;
  await cosignSign(key, signed, 'legacy', login);
  await mkdir(path.join(dir, 'policies'));
  await writeFile(
    path.join(dir, 'policies', 'policy.yaml'),
    cosignPolicy('helper', [`${t.host}/cli/**`], key.publicKeyPem),
  );
});

// verify runs the CLI with a docker config file holding `config`.
async function verify(config: Record<string, unknown>, images: string[]) {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(config));
  const args = [
    'verify',
    ...images,
    '--policy-dir',
    path.join(dir, 'policies'),
    '--docker-config',
    file,
    '--insecure-registry',
    t.host,
  ];
  return runPortcullis([...args, '--output', 'json'], env);
}

describe('verify with a docker credential helper', () => {
  it.each([
    ['credsStore', { credsStore: 'file' }],
    ['credHelpers', { credHelpers: { [t.host]: 'file' } }],
  ])('reaches the registry with the credentials %s gives', async (_name, config) => {
    const run = await verify(config, [signed, unsigned]);
    const report = JSON.parse(run.stdout) as { results: { allowed: boolean; message?: string }[] };
    expect(report.results.map((r) => r.allowed)).toEqual([true, false]);
    expect(report.results[1]?.message).toContain('VERIFY_NO_SIGNATURES');
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).not.toContain(t.password);
  });

  it('without the helper, the registry refuses and the image is denied with the reason', async () => {
    const run = await verify({}, [signed]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('REGISTRY_UNAUTHORIZED');
  });

  it('a helper that is not installed is a clear denial naming it', async () => {
    const run = await verify({ credsStore: 'not-installed' }, [signed]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('docker-credential-not-installed was not found on PATH');
  });
});
