// Keyless cosign end to end: an image signed by the real cosign through the local Sigstore (OIDC issuer,
// Fulcio, CT log, Rekor v2, TSA; test/harness/sigstore), then `kubectl apply` of Pods through the real
// kube-apiserver and the webhook. One image, three ClusterImagePolicies over it, each selecting one namespace:
// the signer's identity with the TrustedRoot inline, the same with the TrustedRoot from a ConfigMap, and
// another identity. The webhook verifies offline against the given root; it never talks to the services.
import { mkdtemp } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { pushRandomImage, type PushedImage } from '../harness/images';
import { githubCertificateIdentity, signKeyless, startSigstore, type Sigstore } from '../harness/sigstore';
import { selfSignedCert } from '../harness/tls';
import { loadE2E, type E2E } from './harness/env';
import { kubectlFor, waitFor } from './harness/kubectl';
import { installLocalWebhook, type LocalWebhook } from './harness/local-webhook';

const e2e: E2E = loadE2E();
const IN_CLUSTER = e2e.mode.webhook === 'in-cluster';
const S = Math.random().toString(36).slice(2, 7);
/** The repository of this file's image, and the glob every policy here governs it by. */
const REPO = `keyless-${S}/app`;
/** Each case has a namespace and a ClusterImagePolicy of the same name that selects only that namespace. */
const INLINE = `kl-inline-${S}`;
const FROM_CM = `kl-configmap-${S}`;
const OTHER = `kl-other-${S}`;
/** The ConfigMap (in FROM_CM) that holds the local Sigstore's TrustedRoot under the default key. */
const ROOT_CM = 'sigstore-root';
/** The workflow the image is signed by (the harness's default GitHub Actions run) … */
const SIGNER = githubCertificateIdentity();
/** … and another workflow of the same repository, which the OTHER policy expects instead. */
const NOT_SIGNER = githubCertificateIdentity({ workflowPath: '.github/workflows/nightly.yml' });
/** How long the webhook may take to see a new namespace, ConfigMap and policy and admit accordingly. */
const ADMIT_TIMEOUT_MS = 60_000;

const { k, ok } = kubectlFor(e2e);

let sigstore: Sigstore;
let webhook: LocalWebhook | undefined;
let image: PushedImage;
/** The image by tag, as the cluster (and the webhook) pull it. */
let imageRef: string;
let pullHost: string;

// policy renders a ClusterImagePolicy named after `ns` that governs REPO in `ns` only, with one keyless
// authority accepting `subject` from the harness's GitHub issuer, under `trustedRoot`.
function policy(ns: string, subject: string, trustedRoot: Record<string, unknown>): string {
  return stringify({
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'ClusterImagePolicy',
    metadata: { name: ns },
    spec: {
      images: [{ glob: `${pullHost}/${REPO}` }],
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
      authorities: [
        {
          name: 'release-workflow',
          cosign: {
            keyless: {
              identities: [
                {
                  issuer: sigstore.issuers.github.url,
                  subject,
                  extensions: {
                    sourceRepositoryURI: SIGNER.sourceRepositoryURI,
                    sourceRepositoryRef: SIGNER.sourceRepositoryRef,
                  },
                },
              ],
              trustedRoot,
            },
          },
        },
      ],
    },
  });
}

// pod renders a Pod running the image in `ns`.
function pod(ns: string, name: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: { containers: [{ name: 'app', image: imageRef }] },
  });
}

// admitted applies a Pod in `ns` until the webhook admits it (it may not have seen the policy yet; until it
// has, no policy governs the image and --no-match denies it), and returns the image the Pod was stored with.
async function admitted(ns: string): Promise<string> {
  let last = '';
  const done = await waitFor(async () => {
    const r = await k(['apply', '-f', '-'], pod(ns, 'signed'));
    last = r.stderr;
    return r.code === 0;
  }, ADMIT_TIMEOUT_MS);
  if (!done) throw new Error(`the Pod in ${ns} was never admitted:\n${last}\n${webhook?.serve.logs() ?? ''}`);
  return (await ok(['get', 'pod', 'signed', '-n', ns, '-o', 'jsonpath={.spec.containers[0].image}'])).stdout;
}

beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-e2e-keyless-'));
  const pushHost = e2e.mode.registry?.push ?? e2e.referrers.host;
  pullHost = e2e.mode.registry?.pull ?? e2e.referrers.host;
  sigstore = await startSigstore();
  image = await pushRandomImage(pushHost, REPO, 'v1');
  await signKeyless(sigstore, { image: image.ref, token: sigstore.githubToken() });
  imageRef = `${pullHost}/${REPO}:v1`;
  if (!IN_CLUSTER) webhook = await installLocalWebhook(e2e, dir, selfSignedCert(dir, 'webhook'));
  const rootJson = JSON.stringify(sigstore.trustedRoot);
  for (const ns of [INLINE, FROM_CM, OTHER]) await ok(['create', 'namespace', ns]);
  await ok(
    ['apply', '-f', '-'],
    stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: ROOT_CM, namespace: FROM_CM },
      data: { 'trusted_root.json': rootJson },
    }),
  );
  await ok(['apply', '-f', '-'], policy(INLINE, SIGNER.subjectAlternativeName, { data: rootJson }));
  await ok(
    ['apply', '-f', '-'],
    policy(FROM_CM, SIGNER.subjectAlternativeName, { configMapRef: { name: ROOT_CM, namespace: FROM_CM } }),
  );
  await ok(['apply', '-f', '-'], policy(OTHER, NOT_SIGNER.subjectAlternativeName, { data: rootJson }));
}, 300_000);

afterAll(async () => {
  await k(['delete', 'clusterimagepolicy', INLINE, FROM_CM, OTHER, '--ignore-not-found']);
  await k(['delete', 'namespace', INLINE, FROM_CM, OTHER, '--ignore-not-found', '--wait=false']);
  await webhook?.stop();
  await sigstore?.stop();
});

describe('keyless cosign through kubectl and the webhook', () => {
  it('admits the image signed by the identity the policy names (TrustedRoot inline), pinned to its digest', async () => {
    expect(await admitted(INLINE)).toBe(`${imageRef}@${image.digest}`);
  });

  it('admits it with the TrustedRoot taken from a ConfigMap', async () => {
    expect(await admitted(FROM_CM)).toBe(`${imageRef}@${image.digest}`);
  });

  it('refuses it under a policy expecting another identity, and kubectl says which image, policy and identity', async () => {
    // Until the webhook has the policy the refusal is POLICY_NO_MATCH: wait for the one this test is about.
    let r = { code: 0, stdout: '', stderr: '' };
    await waitFor(async () => {
      r = await k(['apply', '-f', '-'], pod(OTHER, 'other-identity'));
      return r.code !== 0 && r.stderr.includes('VERIFY_IDENTITY_MISMATCH');
    }, ADMIT_TIMEOUT_MS);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('denied the request');
    expect(r.stderr).toContain('VERIFY_IDENTITY_MISMATCH');
    expect(r.stderr).toContain(imageRef);
    expect(r.stderr).toContain(`ClusterImagePolicy/${OTHER}`);
    // The identity the policy expects, in the policy's own words, and the one that actually signed.
    expect(r.stderr).toContain(`subject ${JSON.stringify(NOT_SIGNER.subjectAlternativeName)}`);
    // Each reason line is bounded (MAX_REASON_CHARS), so the signer's subject may be cut after its workflow.
    const signerWorkflow = SIGNER.subjectAlternativeName.split('@')[0] ?? '';
    expect(r.stderr).toContain(`certificate subject "${signerWorkflow}`);
    expect(r.stderr).toContain(
      'hint: sign the image keylessly as an identity that authority "release-workflow" accepts',
    );
    expect(r.stderr).not.toContain('--key');
    expect((await k(['get', 'pod', 'other-identity', '-n', OTHER])).code).not.toBe(0);
  });
});
