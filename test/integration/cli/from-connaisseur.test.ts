// `portcullis policy from-connaisseur` round trip on Connaisseur's own documentation examples
// (test/fixtures/migration/connaisseur/docs-cosign-multi-*.yaml): each is converted by the real CLI and the
// output judges images signed by the real cosign (v2, legacy `.sig`) in a real local registry, deciding as
// Connaisseur's documentation says the original does.
//
// What is adapted in each fixture, and only that:
// - `trustRoots[].key`: the documented alice/bob/charlie public keys are replaced by keys generated here under the
//   same names (nobody has the documented private keys);
// - the validator's `host`: `rekor` and `rekorPubkey` name a Rekor v1 stand-in (test/harness/sigstore/
//   rekor-v1-log.ts) instead of rekor.sigstore.dev. The rules keep `verifyInTransparencyLog` at its default, true,
//   so signatures carry entries of that log, as `cosign sign` uploading to Rekor would give them.
// The patterns stay `*:*` (every image), so no registry host needed changing.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { cosignSign, generateCosignKey, type CosignKey } from '../../harness/cosign';
import { loadHarness, type Harness } from '../../harness/env';
import { pushRandomImage } from '../../harness/images';
import { NotaryCli, startNotaryServer, type NotaryServer } from '../../harness/notary';
import { convertInto, decide, writePeerInput } from '../../harness/round-trip';
import { createRekorV1Log, type RekorV1Log } from '../../harness/sigstore/rekor-v1-log';
import { logKeySignatures } from '../verifiers/legacy-signature';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'migration', 'connaisseur');
const REPO = 'from-connaisseur/app';
/** The trust roots of the documented `multicosigner` validator, and mallory, whom no trust root names. */
type Signer = 'alice' | 'bob' | 'charlie' | 'mallory';
/** Who signs each test image; `unlogged` is signed by all three roots without transparency-log entries. */
const SIGNED_BY = {
  all: ['alice', 'bob', 'charlie'],
  ab: ['alice', 'bob'],
  ac: ['alice', 'charlie'],
  a: ['alice'],
  am: ['alice', 'mallory'],
  abm: ['alice', 'bob', 'mallory'],
  acm: ['alice', 'charlie', 'mallory'],
  m: ['mallory'],
  unsigned: [],
  unlogged: ['alice', 'bob', 'charlie'],
} as const satisfies Record<string, readonly Signer[]>;
type Image = keyof typeof SIGNED_BY;

let h: Harness;
let log: RekorV1Log;
const keys = {} as Record<Signer, CosignKey>;
const refs = {} as Record<Image, string>;

beforeAll(async () => {
  h = loadHarness();
  log = createRekorV1Log();
  for (const signer of ['alice', 'bob', 'charlie', 'mallory'] as const)
    keys[signer] = await generateCosignKey();
  const host = h.distribution.host;
  for (const [name, signers] of Object.entries(SIGNED_BY) as [Image, readonly Signer[]][]) {
    const image = await pushRandomImage(host, REPO, name);
    for (const signer of signers) {
      await cosignSign(keys[signer], image.ref, 'legacy');
      // Each signature is logged right after it is pushed, as cosign would (the next sign appends a layer).
      if (name !== 'unlogged')
        await logKeySignatures(host, REPO, image.digest, keys[signer].publicKeyPem, log);
    }
    refs[name] = image.ref;
  }
}, 600_000);

// adapt swaps in this test's keys and Rekor for the documented ones, and changes nothing else.
function adapt(fixture: string): string {
  const values = parse(readFileSync(path.join(FIXTURES, fixture), 'utf8')) as {
    application: {
      validators: { type: string; host?: unknown; trustRoots: { name: Signer; key: string }[] }[];
    };
  };
  for (const validator of values.application.validators) {
    validator.host = { rekor: 'rekor.portcullis.test', rekorPubkey: log.publicKeyPem };
    for (const root of validator.trustRoots) root.key = keys[root.name].publicKeyPem;
  }
  return stringify(values);
}

// Decisions as "image: allowed|denied", for one readable comparison per fixture.
const ALLOWED = 'allowed';
const DENIED = 'denied';

/*
 * The expectations quote Connaisseur's docs, docs/validators/sigstore_cosign.md, "Multi-signature verification"
 * (github.com/sse-secure-systems/connaisseur), for the validator `multicosigner` with roots alice, bob, charlie:
 * - `trustRoot: "*"` alone: "As neither `threshold` nor `required` are specified, Connaisseur will require
 *   signatures of all trust roots (`alice`, `bob`, and `charlie`) and deny an image otherwise."
 * - `threshold: 2`: "valid signatures of two or more out of the three trust roots are required for admittance."
 * - `required: ["alice", "bob"]`: "only images with valid signatures of trust roots `alice` and `bob` are admitted."
 * - `threshold: 3` + `required`: "at least 3 valid signatures are required and `alice` and `bob` must be among
 *   those."
 * A signature by a key no trust root holds (mallory) is not a valid signature of any root, and an image without
 * one is denied. `verifyInTransparencyLog` defaults to true (same page, "Transparency log verification"), so
 * signatures without log entries (`unlogged`) are not valid either.
 */
const CASES: readonly [string, Readonly<Partial<Record<Image, string>>>][] = [
  [
    'docs-cosign-multi-all.yaml',
    { all: ALLOWED, ab: DENIED, ac: DENIED, abm: DENIED, m: DENIED, unsigned: DENIED, unlogged: DENIED },
  ],
  [
    'docs-cosign-multi-threshold.yaml',
    {
      all: ALLOWED,
      ab: ALLOWED,
      ac: ALLOWED,
      a: DENIED,
      am: DENIED,
      m: DENIED,
      unsigned: DENIED,
      unlogged: DENIED,
    },
  ],
  [
    'docs-cosign-multi-required.yaml',
    {
      all: ALLOWED,
      ab: ALLOWED,
      abm: ALLOWED,
      ac: DENIED,
      acm: DENIED,
      a: DENIED,
      m: DENIED,
      unsigned: DENIED,
    },
  ],
  [
    'docs-cosign-multi-threshold-required.yaml',
    {
      all: ALLOWED,
      ab: DENIED,
      abm: DENIED,
      acm: DENIED,
      ac: DENIED,
      m: DENIED,
      unsigned: DENIED,
      unlogged: DENIED,
    },
  ],
];

describe('portcullis policy from-connaisseur, round trip on Connaisseur documentation examples', () => {
  it.each(CASES)(
    '%s converts, and the output decides as Connaisseur documents',
    async (fixture, expected) => {
      const input = await writePeerInput(fixture, adapt(fixture));
      const { policyDir, run } = await convertInto('from-connaisseur', input);
      expect(run.stderr).not.toMatch(/error/i);
      expect(run.code).toBe(0);
      const images = Object.keys(expected) as Image[];
      const decisions = await decide(
        policyDir,
        images.map((i) => refs[i]),
        ['--insecure-registry', h.distribution.host],
      );
      const got = Object.fromEntries(images.map((i, n) => [i, decisions[n]?.allowed ? ALLOWED : DENIED]));
      expect(got).toEqual(expected);
      for (const [n, d] of decisions.entries())
        if (!d.allowed)
          expect({ image: images[n], message: d.message }).toEqual({
            image: images[n],
            message: expect.stringMatching(/VERIFY_/),
          });
    },
  );
});

/*
 * docs-notaryv1-basic.yaml: docs/validators/notaryv1.md, "Configuring and running Connaisseur". Adapted: `host`
 * names the local notary-server, the trust root `default` holds this repository's root public key (what the
 * page's get_root_key prints), and the pattern's <REPOSITORY>/<IMAGE> placeholders name the local repository.
 * The page: "Connaisseur now rejects all images from the given repository that have not been signed based on the
 * provided public key"; an unsigned tag fails with "Unable to find signed digest", another root key with "Failed
 * to verify signature of trust data root".
 */
describe('portcullis policy from-connaisseur, round trip on the Notary v1 documentation example', () => {
  /** The notary-server, the CLI that signs, the repository (GUN) and its root public key. */
  const n = {} as { server: NotaryServer; notary: NotaryCli; gun: string; rootKey: string };

  beforeAll(async () => {
    n.server = await startNotaryServer();
    n.notary = await NotaryCli.create(n.server.url);
    n.gun = `${h.referrers.host}/connaisseur/app`;
    await n.notary.init(n.gun);
    for (const tag of ['signed', 'unsigned']) {
      const image = await pushRandomImage(h.referrers.host, 'connaisseur/app', tag);
      if (tag === 'signed') await n.notary.addHash(n.gun, tag, image.size, image.digest);
    }
    const cert = Buffer.from(await n.notary.rootKeyBase64(n.gun), 'base64').toString('utf8');
    n.rootKey = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }, 180_000);

  afterAll(async () => {
    await n.server?.stop();
    await n.notary?.cleanup();
  });

  // convertWith adapts the fixture to the local notary, repository and `key`, and converts it.
  async function convertWith(key: string): Promise<string> {
    const values = parse(readFileSync(path.join(FIXTURES, 'docs-notaryv1-basic.yaml'), 'utf8')) as {
      application: {
        validators: { host: string; trustRoots: { key: string }[] }[];
        policy: { pattern: string }[];
      };
    };
    const [validator] = values.application.validators;
    const [rule] = values.application.policy;
    if (validator === undefined || rule === undefined) throw new Error('fixture changed');
    validator.host = n.server.url;
    validator.trustRoots.forEach((r) => (r.key = key));
    rule.pattern = rule.pattern.replace('docker.io/<REPOSITORY>/<IMAGE>', n.gun);
    const input = await writePeerInput('notaryv1.yaml', stringify(values));
    const { policyDir, run } = await convertInto('from-connaisseur', input);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('notaryV1:');
    return policyDir;
  }

  it('admits the tag signed under the pinned root and denies an unsigned tag', async () => {
    const decisions = await decide(
      await convertWith(n.rootKey),
      [`${n.gun}:signed`, `${n.gun}:unsigned`],
      ['--insecure-registry', h.referrers.host],
    );
    expect(decisions.map((d) => d.allowed)).toEqual([true, false]);
  });

  it('denies the signed tag when another root key is pinned', async () => {
    const other = (await generateCosignKey()).publicKeyPem;
    const [decision] = await decide(
      await convertWith(other),
      [`${n.gun}:signed`],
      ['--insecure-registry', h.referrers.host],
    );
    expect(decision?.allowed).toBe(false);
  });
});
