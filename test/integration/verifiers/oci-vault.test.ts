import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { silentLogger } from '../../../src/observability/logger';
import type { CompiledOciVaultAuthority } from '../../../src/policy/compile/compiled.types';
import { compilePolicy } from '../../../src/policy/compile/compile';
import { parseImageReference } from '../../../src/reference';
import { RegistryError } from '../../../src/registry/errors';
import type { RegistryReader } from '../../../src/registry/registry.types';
import { VerifyError } from '../../../src/verifiers/errors';
import { createOciVaultVerifier } from '../../../src/verifiers/oracle-vault/verifier';
import type { VerifyContext, VerifyTarget } from '../../../src/verifiers/verifier.types';
import {
  signatureSummary,
  signLikeOciCli,
  startOciStandIn,
  toPem,
  type OciMessageFields,
  type OciStandIn,
} from '../../harness/oci-endpoints';

const COMPARTMENT = 'ocid1.compartment.oc1..aaaatestcompartment';
const REGION = 'ap-tokyo-1';
const KEY_A = 'ocid1.key.oc1.ap-tokyo-1.vaultaa.aaaakeya';
const KEY_B = 'ocid1.key.oc1.ap-tokyo-1.vaultaa.aaaakeyb';
const VERSION_A = 'ocid1.keyversion.oc1.ap-tokyo-1.vaultaa.aaaaversiona';
const VERSION_B = 'ocid1.keyversion.oc1.ap-tokyo-1.vaultaa.aaaaversionb';
const ALGORITHMS = [
  'SHA_224_RSA_PKCS_PSS',
  'SHA_256_RSA_PKCS_PSS',
  'SHA_384_RSA_PKCS_PSS',
  'SHA_512_RSA_PKCS_PSS',
];

let standIn: OciStandIn;
const vaultKeyA = generateKeyPairSync('rsa', { modulusLength: 2048 });
const vaultKeyB = generateKeyPairSync('rsa', { modulusLength: 3072 });

beforeAll(async () => {
  standIn = await startOciStandIn();
  standIn.keyVersions.set(VERSION_A, { keyId: KEY_A, publicKey: vaultKeyA.publicKey });
  standIn.keyVersions.set(VERSION_B, { keyId: KEY_B, publicKey: vaultKeyB.publicKey });
});
afterAll(async () => {
  await standIn.close();
});
beforeEach(() => {
  standIn.signatures.length = 0;
  standIn.requests.length = 0;
  standIn.pageSize = 50;
  delete standIn.fault;
  delete standIn.endlessPages;
});

// authority compiles an ociVault policy (API key from a Secret) against the stand-in.
function authority(keys: { keyId: string; publicKey?: string }[], extra: Record<string, unknown> = {}) {
  const secretData = {
    tenancy: standIn.apiKey.tenancy,
    user: standIn.apiKey.user,
    fingerprint: standIn.apiKey.fingerprint,
    privatekey: standIn.apiKey.privateKeyPem,
  };
  const policy = compilePolicy(
    {
      apiVersion: 'portcullis.dev/v1alpha1',
      kind: 'ClusterImagePolicy',
      metadata: { name: 'oke' },
      spec: {
        images: [{ glob: '**' }],
        authorities: [
          {
            name: 'oke',
            ociVault: {
              region: REGION,
              compartmentId: COMPARTMENT,
              keys,
              auth: { secretRef: { name: 'oci-api-key', namespace: 'portcullis' } },
              endpoint: standIn.url,
              keyManagementEndpoint: standIn.url,
              ...extra,
            },
          },
        ],
      },
    },
    {
      secrets: {
        get: (ns, name) => (ns === 'portcullis' && name === 'oci-api-key' ? secretData : undefined),
      },
    },
  );
  return policy.authorities[0] as CompiledOciVaultAuthority;
}

// target is an OCIR-style image resolved to a random digest (the verifier never contacts the registry).
function target(image = `nrt.ocir.io/tenancyns/team/app`): VerifyTarget {
  const digest = `sha256:${createHash('sha256').update(randomBytes(16)).digest('hex')}`;
  const ref = parseImageReference(`${image}@${digest}`);
  return {
    ref,
    repo: { registry: ref.registry, repository: ref.repository },
    digest,
    descriptor: () =>
      Promise.resolve({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 100 }),
  };
}

function context(budgetMs = 5000): VerifyContext {
  return {
    registry: {} as RegistryReader,
    request: { deadline: Date.now() + budgetMs, credentials: { forRegistry: () => undefined } as never },
    now: () => new Date(),
    logger: silentLogger(),
  };
}

// store signs `fields` (defaults: a valid signature for `t`) with `key` and stores it as the API would list it.
function store(t: VerifyTarget, key: KeyObject, fields: Partial<OciMessageFields> = {}, real = {}): void {
  const full: OciMessageFields = {
    imageDigest: t.digest,
    kmsKeyId: KEY_A,
    kmsKeyVersionId: VERSION_A,
    region: REGION,
    repositoryName: 'team/app',
    signingAlgorithm: 'SHA_256_RSA_PKCS_PSS',
    metadata: '{"buildNumber":"123"}',
    ...fields,
  };
  const summary = signatureSummary(signLikeOciCli(key, full), full, COMPARTMENT);
  standIn.signatures.push({
    summary,
    compartmentId: COMPARTMENT,
    imageDigest: t.digest,
    repositoryName: 'team/app',
    ...real,
  });
}

describe('OCI Vault verifier through the real SDK clients and the stand-in', () => {
  const verifier = () => createOciVaultVerifier({ ca: standIn.ca });

  test.each(ALGORITHMS)('admits a valid signature made with %s, with every request signed', async (alg) => {
    const t = target();
    store(t, vaultKeyA.privateKey, { signingAlgorithm: alg });
    const evidence = await verifier().verify(t, authority([{ keyId: KEY_A }]), context());
    expect(evidence.summary).toContain(alg);
    expect(evidence.summary).toContain(KEY_A);
    expect(standIn.requests.length).toBeGreaterThanOrEqual(2);
    expect(standIn.requests.every((r) => r.signed)).toBe(true);
  });

  test('uses the pinned PEM without calling KMS; fetches an unpinned key once and caches it', async () => {
    const v = verifier();
    const pinned = authority([{ keyId: KEY_A, publicKey: toPem(vaultKeyA.publicKey) }]);
    const t1 = target();
    store(t1, vaultKeyA.privateKey);
    await v.verify(t1, pinned, context());
    expect(standIn.requests.filter((r) => r.path.startsWith('/20180608/'))).toHaveLength(0);
    const fetched = authority([{ keyId: KEY_A }]);
    for (let i = 0; i < 3; i++) {
      const t = target();
      store(t, vaultKeyA.privateKey);
      await v.verify(t, fetched, context());
    }
    const kms = standIn.requests.filter((r) => r.path.startsWith('/20180608/'));
    expect(kms).toEqual([
      { method: 'GET', path: `/20180608/keys/${KEY_A}/keyVersions/${VERSION_A}`, signed: true },
    ]);
  });

  test('finds the only valid signature on a second page', async () => {
    const t = target();
    standIn.pageSize = 1;
    store(t, vaultKeyB.privateKey, { kmsKeyId: KEY_B, kmsKeyVersionId: VERSION_B });
    store(t, vaultKeyA.privateKey);
    const evidence = await verifier().verify(t, authority([{ keyId: KEY_A }]), context());
    expect(evidence.summary).toContain(KEY_A);
    const lists = standIn.requests.filter((r) => r.path === '/20160918/container/imageSignatures');
    expect(lists).toHaveLength(2);
  });

  type Case = [string, (t: VerifyTarget) => void, string, string];
  const denials: Case[] = [
    ['no signatures', () => undefined, 'VERIFY_NO_SIGNATURES', 'no OCI Vault signature'],
    [
      'a key not in the policy',
      (t) => store(t, vaultKeyB.privateKey, { kmsKeyId: KEY_B, kmsKeyVersionId: VERSION_B }),
      'VERIFY_KEY_NOT_TRUSTED',
      'not one of the policy',
    ],
    [
      'the wrong key (summary claims key A, signed by B)',
      (t) => store(t, vaultKeyB.privateKey),
      'VERIFY_SIGNATURE_INVALID',
      'does not verify',
    ],
    [
      'a tampered message',
      (t) => {
        store(t, vaultKeyA.privateKey);
        const s = standIn.signatures[0]?.summary as Record<string, string>;
        const json = Buffer.from(s.message ?? '', 'base64')
          .toString()
          .replace('123', '124');
        s.message = Buffer.from(json).toString('base64');
      },
      'VERIFY_SIGNATURE_INVALID',
      'tampered',
    ],
    [
      'a replayed signature (another digest)',
      (t) => store(t, vaultKeyA.privateKey, { imageDigest: `sha256:${'a'.repeat(64)}` }),
      'VERIFY_DIGEST_MISMATCH',
      `signature is for sha256:${'a'.repeat(64)}`,
    ],
    [
      'another repository',
      (t) => store(t, vaultKeyA.privateKey, { repositoryName: 'team/other' }),
      'VERIFY_BINDING_MISMATCH',
      'team/other',
    ],
    [
      'another region',
      (t) => store(t, vaultKeyA.privateKey, { region: 'us-ashburn-1' }),
      'VERIFY_BINDING_MISMATCH',
      'us-ashburn-1',
    ],
    [
      'an unknown algorithm',
      (t) => {
        store(t, vaultKeyA.privateKey);
        (standIn.signatures[0]?.summary as Record<string, string>).signingAlgorithm =
          'SHA_256_RSA_PKCS1_V1_5';
      },
      'VERIFY_PAYLOAD_INVALID',
      'unknown signing algorithm',
    ],
    [
      'invalid base64',
      (t) => {
        store(t, vaultKeyA.privateKey);
        (standIn.signatures[0]?.summary as Record<string, string>).message = 'not base64!';
      },
      'VERIFY_PAYLOAD_INVALID',
      'not base64',
    ],
  ];
  test.each(denials)('denies %s', async (_name, setup, code, text) => {
    const t = target();
    setup(t);
    await expect(verifier().verify(t, authority([{ keyId: KEY_A }]), context())).rejects.toThrowWithCode(
      code,
      {
        instanceOf: VerifyError,
        message: text,
      },
    );
  });

  test('denies an image in another OCIR region than the authority before any API call', async () => {
    const t = target('iad.ocir.io/tenancyns/team/app');
    await expect(verifier().verify(t, authority([{ keyId: KEY_A }]), context())).rejects.toThrowWithCode(
      'VERIFY_BINDING_MISMATCH',
      { message: 'us-ashburn-1' },
    );
    expect(standIn.requests).toHaveLength(0);
  });

  test('stops a runaway pagination at the page limit', async () => {
    const t = target();
    standIn.pageSize = 1;
    standIn.endlessPages = true;
    store(t, vaultKeyB.privateKey, { kmsKeyId: KEY_B, kmsKeyVersionId: VERSION_B });
    await expect(verifier().verify(t, authority([{ keyId: KEY_A }]), context())).rejects.toThrowWithCode(
      'VERIFY_TOO_MANY_SIGNATURES',
    );
    expect(standIn.requests.length).toBe(10);
  });

  const faults: [string, OciStandIn['fault'], string][] = [
    ['401', { status: 401 }, 'REGISTRY_UNAUTHORIZED'],
    ['429', { status: 429 }, 'REGISTRY_RATE_LIMITED'],
    ['500', { status: 500 }, 'REGISTRY_UNREACHABLE'],
    ['a body that is not JSON', { body: '{"items": [' }, 'REGISTRY_BAD_RESPONSE'],
    ['a page without items', { body: '{"things": []}' }, 'REGISTRY_BAD_RESPONSE'],
    ['hanging', { hang: true }, 'REGISTRY_TIMEOUT'],
  ];
  test.each(faults)('denies within the deadline when the API answers %s', async (_n, fault, code) => {
    const t = target();
    store(t, vaultKeyA.privateKey);
    standIn.fault = fault;
    const started = Date.now();
    await expect(verifier().verify(t, authority([{ keyId: KEY_A }]), context(1500))).rejects.toThrowWithCode(
      code,
      { instanceOf: RegistryError, message: 'OCI Artifacts API' },
    );
    expect(Date.now() - started).toBeLessThan(1500 + 300); // the deadline, plus scheduling slack
  });

  test('a wrong API key is refused by the stand-in (it really checks the request signature)', async () => {
    const t = target();
    store(t, vaultKeyA.privateKey);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const a = authority([{ keyId: KEY_A }]);
    const forged = {
      ...a,
      auth: { ...a.auth, privateKey: other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    } as CompiledOciVaultAuthority;
    await expect(verifier().verify(t, forged, context())).rejects.toThrowWithCode('REGISTRY_UNAUTHORIZED');
    expect(standIn.requests.every((r) => !r.signed)).toBe(true);
  });

  test('without the stand-in CA the TLS failure says how to trust it', async () => {
    const t = target();
    await expect(
      createOciVaultVerifier().verify(t, authority([{ keyId: KEY_A }]), context(1500)),
    ).rejects.toThrowWithCode('REGISTRY_UNREACHABLE', { message: '--registry-ca' });
  });
});
