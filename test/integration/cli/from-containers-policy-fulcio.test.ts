// `policy from-containers-policy` on a `sigstoreSigned` requirement with `fulcio` and `rekorPublicKeyPath`, round
// trip: the policy.json names the local Fulcio's CA file (test/harness/sigstore) and a Rekor key file, the converted
// keyless ClusterImagePolicy goes to `portcullis verify`, and images signed keylessly by the real cosign decide as
// containers-policy.json(5) and signature/fulcio_cert.go say (SET by the Rekor key, chain to the CA, OIDC issuer,
// email SAN). The signatures are cosign v2's legacy `.sig` (`dev.cosignproject.cosign/signature`,
// `dev.sigstore.cosign/certificate`, `…/chain`, `…/bundle`): containers/image reads only those annotations, not
// cosign v3's sigstore bundles. cosign v2 can only log to Rekor v1 and only Rekor v2 runs here, so the SET comes
// from the in-process Rekor v1 stand-in (rekor-v1-log.ts), whose key file the policy names. The oracle is the real
// containers/image (test/harness/containers-policy-oracle.ts) deciding each image under the same policy.json, with
// the CA and Rekor key paths pointing at this machine's files.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { containersImageDecision } from '../../harness/containers-policy-oracle';
import { convertInto, decide } from '../../harness/round-trip';
import { loadHarness } from '../../harness/env';
import { pushRandomImage } from '../../harness/images';
import {
  createRekorV1Log,
  signKeyless,
  startSigstore,
  type RekorV1Log,
  type Sigstore,
} from '../../harness/sigstore';
import {
  pushLegacyAnnotations,
  readLegacySignature,
  REKOR_BUNDLE_ANNOTATION,
} from '../verifiers/legacy-signature';

const host = loadHarness().distribution.host;
const ALICE = 'alice@example.com';
const MALLORY = 'mallory@example.com';
const REPO = 'cp-fulcio/app';
let sigstore: Sigstore;
let rekor: RekorV1Log;
let dir: string;
let policyDir: string;
let oraclePolicy: string;
const images: Record<string, string> = {};

// signed pushes an image signed by `email` (cosign v2, legacy), logged in the Rekor stand-in when `logged`.
async function signed(tag: string, email: string | undefined, logged = true): Promise<string> {
  const image = await pushRandomImage(host, REPO, tag);
  if (email === undefined) return image.ref;
  const token = sigstore.emailToken(email);
  await signKeyless(sigstore, { image: image.ref, token, format: 'legacy', tlog: false, timestamp: false });
  const sig = await readLegacySignature(host, REPO, image.digest);
  if (logged) await pushLegacyAnnotations(sig, { [REKOR_BUNDLE_ANNOTATION]: rekor.annotate(sig) });
  return image.ref;
}

beforeAll(async () => {
  // Without a CT log: @sigstore/verify checks every SCT a certificate carries against the trusted root's CT logs,
  // which containers-policy.json cannot name (the converter reports this as a semantics finding; a certificate
  // with an SCT was seen denied with "SCT verification failed").
  sigstore = await startSigstore({ ctLog: false, rekor: false, tsa: false });
  rekor = createRekorV1Log();
  dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-cp-fulcio-'));
  await writeFile(path.join(dir, 'fulcio_v1.crt.pem'), sigstore.fulcio.chainPem);
  await writeFile(path.join(dir, 'rekor.pub'), rekor.publicKeyPem);
  images.alice = await signed('alice', ALICE);
  images.unsigned = await signed('unsigned', undefined);
  images.mallory = await signed('mallory', MALLORY);
  images.unlogged = await signed('unlogged', ALICE, false);
  const file = path.join(dir, 'policy.json');
  // policyJson names the CA and Rekor key files in `folder` (the node's /etc/containers, or this test's folder).
  const policyJson = (folder: string) =>
    JSON.stringify({
      default: [{ type: 'reject' }],
      transports: {
        docker: {
          [`${host}/cp-fulcio`]: [
            {
              type: 'sigstoreSigned',
              fulcio: {
                caPath: `${folder}/fulcio_v1.crt.pem`,
                oidcIssuer: sigstore.issuers.primary.url,
                subjectEmail: ALICE,
              },
              rekorPublicKeyPath: `${folder}/rekor.pub`,
              signedIdentity: { type: 'matchRepository' },
            },
          ],
        },
      },
    });
  await writeFile(file, policyJson('/etc/containers'));
  oraclePolicy = path.join(dir, 'oracle-policy.json');
  await writeFile(oraclePolicy, policyJson(dir));
  const converted = await convertInto('from-containers-policy', file, ['--key-dir', dir]);
  expect(converted.run.stderr).toContain('semantics');
  expect(converted.run.code).toBe(0);
  expect(converted.run.stdout).toContain('keyless');
  policyDir = converted.policyDir;
}, 300_000);

afterAll(async () => {
  await sigstore?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('from-containers-policy fulcio round trip (cosign v2 keyless, local Fulcio and Rekor key)', () => {
  // [image, allowed, Portcullis's denial, containers/image's answer]
  it.each([
    ['alice', true, /alice@example\.com/, /^allowed$/],
    ['unsigned', false, /no .*signature|not signed|unsigned/i, /no signature exists/],
    ['mallory', false, /mallory@example\.com/, /email "alice@example\.com" not found .*mallory/],
    // containers/image demands the SET of the Rekor key for fulcio; so does the converted policy.
    ['unlogged', false, /tlog|transparency/i, /missing dev\.sigstore\.cosign\/bundle annotation/],
  ])(
    '%s: allowed=%s',
    async (which, allowed, message, reason) => {
      const image = images[which] ?? '';
      const [decision] = await decide(policyDir, [image], ['--insecure-registry', host]);
      const oracle = await containersImageDecision(oraclePolicy, image, { useSigstoreAttachments: true });
      expect({ which, containersImage: oracle.allowed, portcullis: decision?.allowed }).toEqual({
        which,
        containersImage: allowed,
        portcullis: allowed,
      });
      expect(oracle.reason).toMatch(reason);
      if (!allowed) expect(decision?.message).toMatch(message);
    },
    120_000,
  );
});
