// `portcullis policy from-portieris` round trip on Portieris's `simple` (GPG simple signing) e2e policy
// imagepolicy-simple-signedby1.yaml: converted by the real CLI, then the output, with the key Secret the policy
// names, judges images that the real `skopeo copy --sign-by` signed with a throwaway GnuPG key into a lookaside
// store served over loopback.
//
// What is adapted in the fixture, and only that:
// - the registry host in `repositories[].name` (`icr.io`) becomes the local registry;
// - `simple.storeURL` is added, naming the local lookaside. The fixture has none (its `simpleStore` is outside
//   Portieris's schema and pruned), so Portieris reads icr.io's signature API extension, which a local registry
//   and Portcullis lack; the conversion of the unmodified file is refused for that reason.
// The Secret `simple1pubkey` (Portieris's e2e test/e2e/testdata/secret/simple1pubkey.yaml) holds, under `key`, the
// armored public key generated here instead of Portieris's.
//
// Portieris's semantics (POLICIES.md, "`simple` (Red Hat simple signing)"): the requirements are containers-
// policy.json(5)'s; a `signedBy` requirement "requires that images … are signed by the identity with its public key
// in" the keySecret, with the default signedIdentity matchRepoDigestOrExact (a tag must be the signed reference).
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { loadHarness, type Harness } from '../../harness/env';
import { pushRandomImage, retag } from '../../harness/images';
import { convertInto, decide, writePeerInput } from '../../harness/round-trip';
import {
  createGpgSigner,
  skopeoCopy,
  startLookaside,
  type GpgSigner,
  type Lookaside,
} from '../../harness/simple-signing';

const FIXTURE = path.join(
  __dirname,
  '..',
  '..',
  'fixtures',
  'migration',
  'portieris',
  'imagepolicy-simple-signedby1.yaml',
);

let h: Harness;
let release: GpgSigner;
let stranger: GpgSigner;
let lookaside: Lookaside;
let host: string;

beforeAll(async () => {
  h = loadHarness();
  host = h.distribution.host;
  [release, stranger, lookaside] = await Promise.all([
    createGpgSigner('simple1', 'ed25519'),
    createGpgSigner('stranger', 'ed25519'),
    startLookaside(),
  ]);
  const a = await pushRandomImage(host, 'portieris-src/a', 'v1');
  await pushRandomImage(host, 'portieris-src/b', 'v1');
  await pushRandomImage(host, 'portieris-src/c', 'v1');
  const copy = (from: string, to: string, signer?: GpgSigner) =>
    skopeoCopy(`${host}/portieris-src/${from}:v1`, `${host}/cise/${to}`, lookaside, signer);
  await copy('a', 'nginx:signed', release);
  await retag(host, 'cise/nginx', a.digest, 'retagged'); // same digest, a tag nobody signed
  await copy('c', 'nginx:unsigned'); // its own digest: the lookaside path holds no signature for it
  await copy('b', 'nginx:rogue', stranger);
  // A repository outside icr.io/cise/*, which no name of the policy matches.
  await skopeoCopy(`${host}/portieris-src/a:v1`, `${host}/elsewhere/app:signed`, lookaside, release);
}, 300_000);

afterAll(async () => {
  await Promise.all([release?.cleanup(), stranger?.cleanup(), lookaside?.stop()]);
});

// adapt moves the fixture to the local registry and adds the local lookaside as storeURL.
function adapt(text: string): string {
  return text
    .replace('"icr.io/', `"${host}/`)
    .replace('         simple:\n', `         simple:\n           storeURL: "${lookaside.url}"\n`);
}

describe('portcullis policy from-portieris, round trip on imagepolicy-simple-signedby1.yaml', () => {
  it('refuses the unmodified fixture: Portcullis does not read the registry signature API', async () => {
    const input = await writePeerInput('simple.yaml', readFileSync(FIXTURE, 'utf8'));
    const { run } = await convertInto('from-portieris', input);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('X-Registry-Supports-Signatures');
  });

  it('converts to a simpleSigning authority that decides as Portieris documents', async () => {
    const input = await writePeerInput('simple.yaml', adapt(readFileSync(FIXTURE, 'utf8')));
    const { policyDir, run } = await convertInto('from-portieris', input);
    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 0,
      stderr: expect.stringContaining('policy.simpleStore'),
    });
    expect(run.stdout).toContain('simpleSigning:');
    // The Secret the policy names, in the ImagePolicy's namespace, with the key where Portieris reads it.
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'simple1pubkey', namespace: 'default' },
      stringData: { key: release.publicKey },
    };
    await writeFile(path.join(policyDir, 'secret.yaml'), stringify(secret));
    const flags = ['--insecure-registry', host];
    // `retagged` shares the signed image's digest and comes after it in the same run: its verdict must not be
    // taken from the cache (simpleSigning verdicts are keyed by name too, ADR 0004).
    const images = ['signed', 'unsigned', 'rogue', 'retagged'].map((t) => `${host}/cise/nginx:${t}`);
    const decisions = await decide(policyDir, [...images, `${host}/elsewhere/app:signed`], flags);
    expect(decisions.map((d) => (d.allowed ? 'allowed' : 'denied'))).toEqual([
      'allowed', // signed by the key in simple1pubkey, for this tag
      'denied', // no signature in the store
      'denied', // signed by another key
      'denied', // a tag nobody signed: matchRepoDigestOrExact needs the signed tag
      'denied', // no repository name matches: Portieris denies, and so does --no-match deny
    ]);
    expect(decisions[1]?.message).toContain('VERIFY_NO_SIGNATURES');
    expect(decisions[2]?.message).toContain('VERIFY_KEY_NOT_TRUSTED');
    expect(decisions[3]?.message).toContain('VERIFY_IDENTITY_MISMATCH');
    expect(decisions[4]?.message).toContain('POLICY_NO_MATCH');
  }, 120_000);
});
