// OCI Vault end to end through the webhook: an image pushed to the harness registry (standing in for OCIR),
// signed the way oci-cli signs, signatures and KMS keys served by the OCI stand-in, policies from a folder
// following the OKE template of docs/oke.md, with `auth: {configFile}` (a real OCI config file).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadHarness, type Harness } from '../../harness/env';
import { pushRandomImage, type PushedImage } from '../../harness/images';
import {
  signatureSummary,
  signLikeOciCli,
  startOciStandIn,
  type OciStandIn,
} from '../../harness/oci-endpoints';
import {
  admissionReview,
  buildTestWebhook,
  podObject,
  type TestWebhook,
  admitThroughBoth,
} from '../../harness/webhook';

interface ReviewResponse {
  allowed: boolean;
  status?: { message: string };
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

const COMPARTMENT = 'ocid1.compartment.oc1..aaaatestcompartment';
const KEY = 'ocid1.key.oc1.ap-tokyo-1.vaultaa.aaaakeya';
const VERSION = 'ocid1.keyversion.oc1.ap-tokyo-1.vaultaa.aaaaversiona';
const vaultKey = generateKeyPairSync('rsa', { modulusLength: 2048 });

let h: Harness;
let standIn: OciStandIn;
let hook: TestWebhook;
let signed: PushedImage;
let unsigned: PushedImage;

// review posts an AdmissionReview for a pod and returns the response part.
async function review(pod: Record<string, unknown>): Promise<ReviewResponse> {
  return admitThroughBoth(hook.app, admissionReview(pod));
}

beforeAll(async () => {
  h = loadHarness();
  standIn = await startOciStandIn();
  standIn.keyVersions.set(VERSION, { keyId: KEY, publicKey: vaultKey.publicKey });
  [signed, unsigned] = await Promise.all([
    pushRandomImage(h.referrers.host, 'tenancyns/team/app', 'signed'),
    pushRandomImage(h.referrers.host, 'tenancyns/team/app', 'unsigned'),
  ]);
  const fields = {
    imageDigest: signed.digest,
    kmsKeyId: KEY,
    kmsKeyVersionId: VERSION,
    region: 'ap-tokyo-1',
    repositoryName: 'team/app',
    signingAlgorithm: 'SHA_256_RSA_PKCS_PSS',
  };
  standIn.signatures.push({
    summary: signatureSummary(signLikeOciCli(vaultKey.privateKey, fields), fields, COMPARTMENT),
    compartmentId: COMPARTMENT,
    imageDigest: signed.digest,
    repositoryName: 'team/app',
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-oci-config-'));
  const keyFile = path.join(dir, 'api-key.pem');
  await writeFile(keyFile, standIn.apiKey.privateKeyPem, { mode: 0o600 });
  const config = path.join(dir, 'config');
  const profile = [
    '[PORTCULLIS]',
    `user=${standIn.apiKey.user}`,
    `fingerprint=${standIn.apiKey.fingerprint}`,
    `tenancy=${standIn.apiKey.tenancy}`,
    'region=ap-tokyo-1',
    `key_file=${keyFile}`,
  ];
  await writeFile(config, profile.join('\n') + '\n', { mode: 0o600 });
  const policy = [
    'apiVersion: portcullis.dev/v1alpha1',
    'kind: ClusterImagePolicy',
    'metadata: {name: oke-image-verification}',
    'spec:',
    '  mode: enforce',
    '  images:',
    `    - glob: "${h.referrers.host}/tenancyns/**"`,
    '  requireDigest: true',
    '  threshold: 1',
    '  breakGlass: {allowed: true}',
    '  authorities:',
    '    - name: oke-vault-keys',
    '      ociVault:',
    '        region: ap-tokyo-1',
    `        compartmentId: ${COMPARTMENT}`,
    `        keys: [{keyId: ${KEY}}]`,
    `        auth: {configFile: ${config}, profile: PORTCULLIS}`,
    `        endpoint: ${standIn.url}`,
    `        keyManagementEndpoint: ${standIn.url}`,
    '',
  ].join('\n');
  hook = await buildTestWebhook({ 'oke.yaml': policy }, { registryCa: standIn.ca });
}, 120_000);

afterAll(async () => {
  await hook?.app.close();
  await standIn?.close();
});

describe('OKE-style ociVault policy through the webhook', () => {
  test('admits a digest-pinned OCIR image signed with a policy key', async () => {
    const r = await review(podObject({ app: `${h.referrers.host}/tenancyns/team/app@${signed.digest}` }));
    expect(r.status?.message).toBeUndefined();
    expect(r.allowed).toBe(true);
    expect(standIn.requests.some((q) => q.path.startsWith('/20180608/') && q.signed)).toBe(true);
  });

  test('denies a tag-only reference (requireDigest)', async () => {
    const r = await review(podObject({ app: `${h.referrers.host}/tenancyns/team/app:signed` }));
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('POLICY_DIGEST_REQUIRED');
  });

  test('denies an unsigned image, naming the reason', async () => {
    const r = await review(podObject({ app: `${h.referrers.host}/tenancyns/team/app@${unsigned.digest}` }));
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('VERIFY_NO_SIGNATURES');
  });

  test('denies an image outside the OCIR globs (no policy governs it: --no-match deny)', async () => {
    const r = await review(podObject({ app: `${h.distribution.host}/other/app@${unsigned.digest}` }));
    expect(r.allowed).toBe(false);
  });

  test('admits an unsigned image under the OKE break-glass annotation, audited and warned', async () => {
    const r = await review(
      podObject(
        { app: `${h.referrers.host}/tenancyns/team/app@${unsigned.digest}` },
        { annotations: { 'oracle.image-policy.k8s.io/break-glass': 'true' } },
      ),
    );
    expect(r.allowed).toBe(true);
    expect(JSON.stringify(r.auditAnnotations ?? {})).toContain('break-glass');
    expect((r.warnings ?? []).join(' ')).toMatch(/break-glass/i);
  });
});
