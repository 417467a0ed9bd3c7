// `portcullis policy from-notation` as users run it: a trust policy and a trust store folder in Notation's layout,
// converted, linted, then used by `portcullis verify` on images signed by the real notation CLI.
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPortcullis } from '../../harness/cli';
import { loadHarness, type Harness } from '../../harness/env';
import { pushRandomImage } from '../../harness/images';
import { NOTATION_DIR } from '../../unit/verifiers/notation/fixtures';
import { generateRsaKey, notationSign, type NotationCli } from '../verifiers/notation-cli';

/** notation-go's own test trust store (read in place, never copied). */
const CONFORMANCE_TRUST_STORE = path.join(NOTATION_DIR, 'notation-go', 'verifier', 'testdata', 'truststore');
const IDENTITY = 'x509.subject: C=US, ST=WA, O=Notary';

let h: Harness;
let dir: string;
/** A Notation config folder: `truststore/x509/ca/release/` holds the release certificate as DER. */
let notationHome: string;
let signedRef: string;
let rogueRef: string;
let repo: string;

// writeTrustPolicy writes a trustpolicy.json with `statements` and returns its path.
async function writeTrustPolicy(name: string, statements: unknown[]): Promise<string> {
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify({ version: '1.0', trustPolicies: statements }));
  return file;
}

// release is the statement that trusts the release key's CA store for `scopes`.
function release(scopes: string[], level = 'strict'): Record<string, unknown> {
  return {
    name: 'release',
    registryScopes: scopes,
    signatureVerification: { level },
    trustStores: ['ca:release'],
    trustedIdentities: [IDENTITY],
  };
}

beforeAll(async () => {
  h = loadHarness();
  dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-from-notation-'));
  const cli: NotationCli = { bin: path.join(h.tools, 'notation'), configHome: path.join(dir, 'signer') };
  await mkdir(cli.configHome);
  const releaseKey = await generateRsaKey(cli, 'from-notation-release');
  const rogueKey = await generateRsaKey(cli, 'from-notation-rogue');
  repo = `${h.referrers.host}/from-notation/app`;
  const signed = await pushRandomImage(h.referrers.host, 'from-notation/app', 'signed');
  const rogue = await pushRandomImage(h.referrers.host, 'from-notation/app', 'rogue');
  await notationSign(cli, releaseKey, signed.ref, { format: 'jws', referrersApi: true });
  await notationSign(cli, rogueKey, rogue.ref, { format: 'cose', referrersApi: true });
  signedRef = `${repo}:signed`;
  rogueRef = `${repo}:rogue`;
  notationHome = path.join(dir, 'notation');
  const store = path.join(notationHome, 'truststore', 'x509', 'ca', 'release');
  await mkdir(path.join(store, 'old'), { recursive: true });
  await writeFile(path.join(store, 'release.cer'), new X509Certificate(releaseKey.certPem).raw);
  await writeFile(path.join(store, 'README.txt'), 'not a certificate\n');
}, 240_000);

describe('portcullis policy from-notation', () => {
  it('converts a trust policy whose output lints and admits the image the trusted key signed (round trip)', async () => {
    const trustPolicy = await writeTrustPolicy('release', [release([repo])]);
    const r = await runPortcullis(['policy', 'from-notation', trustPolicy, '--trust-store', notationHome]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^kind: ImagePolicy$/m);
    expect(r.stdout).toContain(`glob: ${repo}\n`);
    expect(r.stderr).toContain('note: trust policy "release": ignored the file README.txt');
    expect(r.stderr).toContain('ignored the sub-folder old/');
    const policyDir = path.join(dir, 'policies');
    await mkdir(policyDir, { recursive: true });
    await writeFile(path.join(policyDir, 'notation.yaml'), r.stdout);
    const lint = await runPortcullis(['policy', 'lint', path.join(policyDir, 'notation.yaml')]);
    expect(lint.code).toBe(0);
    const flags = ['--policy-dir', policyDir, '--insecure-registry', h.referrers.host];
    const allowed = await runPortcullis(['verify', signedRef, ...flags]);
    expect(allowed.stderr).toBe('');
    expect(allowed.stdout).toMatch(/^ALLOWED /m);
    expect(allowed.code).toBe(0);
    const denied = await runPortcullis(['verify', rogueRef, ...flags]);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toContain('VERIFY_UNTRUSTED_SIGNER');
  });

  it('warns on stderr and in the YAML when "*" sits beside specific scopes; --cluster prints ClusterImagePolicies', async () => {
    const trustPolicy = await writeTrustPolicy('global', [
      { ...release(['registry.example.com/team/app']), trustStores: ['ca:valid-trust-store'] },
      {
        name: 'everything else',
        registryScopes: ['*'],
        signatureVerification: { level: 'audit' },
        trustStores: ['signingAuthority:valid-trust-store', 'tsa:test-timestamp'],
        trustedIdentities: ['*'],
      },
    ]);
    const r = await runPortcullis([
      'policy',
      'from-notation',
      trustPolicy,
      '--trust-store',
      CONFORMANCE_TRUST_STORE,
      '--cluster',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^kind: ClusterImagePolicy$/gm)).toHaveLength(2);
    expect(r.stdout).toContain('# WARNING: this policy\'s glob "**" also covers the scopes of "release"');
    expect(r.stderr).toMatch(
      /^portcullis: warning: trust policy "everything else": .*Portcullis applies every policy/m,
    );
  });

  const KEY_BODY = 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg';
  it.each<[string, () => Promise<string[]>, string]>([
    [
      'a skip level',
      async () => [
        await writeTrustPolicy('skip', [
          release([repo]),
          {
            name: 'unsigned',
            registryScopes: ['registry.example.com/u'],
            signatureVerification: { level: 'skip' },
          },
        ]),
        '--trust-store',
        notationHome,
      ],
      'POLICY_NOTATION_UNSUPPORTED',
    ],
    [
      'a named store that does not exist',
      async () => [
        await writeTrustPolicy('missing', [{ ...release([repo]), trustStores: ['ca:nowhere'] }]),
        '--trust-store',
        notationHome,
      ],
      'names trust store ca:nowhere, but',
    ],
    [
      'a trust store folder without x509/',
      async () => [await writeTrustPolicy('no-x509', [release([repo])]), '--trust-store', dir],
      'CONFIG_TRUST_STORE_INVALID',
    ],
    [
      'a private key in the store',
      async () => {
        const root = path.join(dir, 'with-key');
        await mkdir(path.join(root, 'x509', 'ca', 'release'), { recursive: true });
        await writeFile(
          path.join(root, 'x509', 'ca', 'release', 'key.pem'),
          `-----BEGIN PRIVATE KEY-----\n${KEY_BODY}\n-----END PRIVATE KEY-----\n`,
        );
        return [await writeTrustPolicy('key', [release([repo])]), '--trust-store', root];
      },
      'looks like a private key',
    ],
    [
      'a symbolic link in the store',
      async () => {
        const root = path.join(dir, 'with-link');
        await mkdir(path.join(root, 'x509', 'ca', 'release'), { recursive: true });
        await symlink('/etc/hostname', path.join(root, 'x509', 'ca', 'release', 'link.pem'));
        return [await writeTrustPolicy('link', [release([repo])]), '--trust-store', root];
      },
      'is a symbolic link',
    ],
    [
      '--cluster with --namespace',
      async () => [
        await writeTrustPolicy('flags', [release([repo])]),
        '--trust-store',
        notationHome,
        '--cluster',
        '--namespace',
        'a',
      ],
      'CONFIG_INVALID_FLAG',
    ],
    [
      'no trust policy file',
      () => Promise.resolve([path.join(dir, 'none.json'), '--trust-store', dir]),
      'CONFIG_FILE_UNREADABLE',
    ],
    ['no --trust-store', () => Promise.resolve([path.join(dir, 'none.json')]), '--trust-store'],
  ])('exits 2 and prints nothing on stdout for %s', async (_name, args, message) => {
    const r = await runPortcullis(['policy', 'from-notation', ...(await args())]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain(KEY_BODY);
  });
});
