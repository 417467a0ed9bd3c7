// `sigstoreSigned.fulcio` → a cosign keyless authority whose trusted root holds exactly the policy's Fulcio CA and
// Rekor keys (no CT log, no TSA: containers/image checks no SCT and trusts no timestamp authority), and the
// invalid or unfaithful shapes that are refused. The end-to-end check on real signatures is
// test/integration/cli/from-containers-policy-fulcio.test.ts.
import { generateKeyPairSync } from 'node:crypto';
import { convertContainersPolicy } from '../../../src/convert/containers-policy';
import { compilePolicy } from '../../../src/policy/compile/compile';
import { isPolicyError } from '../../../src/policy/errors';
import { createPrivateCa, type PrivateCa } from '../../harness/sigstore/pki';

const ISSUER = 'https://oidc.example.com';
const EMAIL = 'release@example.com';
const SCOPE = 'registry.example.com/team';
const ecPem = (curve: string): string =>
  generateKeyPairSync('ec', { namedCurve: curve })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
const REKOR = ecPem('P-256');
const RSA = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();

let ca: PrivateCa;
beforeAll(async () => {
  ca = await createPrivateCa('Fulcio Test');
});

// policy is a policy.json with one sigstoreSigned fulcio requirement for SCOPE (files read from `files`).
function convert(requirement: Record<string, unknown>, files: Record<string, string> = {}) {
  const text = JSON.stringify({
    default: [{ type: 'reject' }],
    transports: { docker: { [SCOPE]: [{ type: 'sigstoreSigned', ...requirement }] } },
  });
  return convertContainersPolicy(text, {
    noMatch: 'deny',
    readKey: (file) => (files[file] === undefined ? { error: 'no such file' } : Buffer.from(files[file])),
  });
}

const fulcio = (extra: Record<string, unknown> = {}) => ({
  fulcio: { caPath: '/etc/fulcio.pem', oidcIssuer: ISSUER, subjectEmail: EMAIL, ...extra },
  rekorPublicKeyPath: '/etc/rekor.pub',
});

// failure returns the code and paths of a refused or invalid conversion.
function failure(run: () => unknown): { code: string; paths: string[]; message: string } {
  try {
    run();
  } catch (e) {
    if (isPolicyError(e))
      return { code: e.code, paths: e.fieldErrors.map((f) => f.path), message: e.message };
    throw e;
  }
  throw new Error('expected the conversion to fail');
}

describe('sigstoreSigned fulcio → cosign keyless', () => {
  it('writes the exact identity and a trusted root of the CA chain and the Rekor key, and it compiles', () => {
    const c = convert(fulcio(), { '/etc/fulcio.pem': ca.chainPem, '/etc/rekor.pub': REKOR });
    const [policy] = c.policies;
    const cosign = policy?.spec.authorities[0]?.cosign;
    expect(cosign?.keyless?.identities).toEqual([{ issuer: ISSUER, subject: EMAIL }]);
    expect(cosign?.tlog).toEqual({ required: true });
    const root = JSON.parse(cosign?.keyless?.trustedRoot?.data ?? '{}') as Record<string, unknown[]>;
    expect(root.ctlogs).toEqual([]);
    expect(root.timestampAuthorities).toEqual([]);
    expect(root.tlogs).toHaveLength(1);
    expect(root.certificateAuthorities).toEqual([
      expect.objectContaining({
        certChain: { certificates: [{ rawBytes: expect.any(String) }, { rawBytes: expect.any(String) }] },
      }),
    ]);
    const kinds = c.findings.map((f) => [f.kind, f.source]);
    expect(kinds).toContainEqual(['semantics', `transports.docker["${SCOPE}"][0].fulcio`]);
    expect(kinds).toContainEqual(['semantics', `transports.docker["${SCOPE}"][0].signedIdentity`]);
    compilePolicy(policy, { secrets: { get: () => undefined }, defaultNamespace: 'default' });
  });

  it('reads caData (base64) and P-384 Rekor keys given as data', () => {
    const c = convert({
      fulcio: {
        caData: Buffer.from(ca.chainPem).toString('base64'),
        oidcIssuer: ISSUER,
        subjectEmail: EMAIL,
      },
      rekorPublicKeyDatas: [REKOR, ecPem('P-384')].map((k) => Buffer.from(k).toString('base64')),
    });
    const cosign = c.policies[0]?.spec.authorities[0]?.cosign;
    const root = JSON.parse(cosign?.keyless?.trustedRoot?.data ?? '{}') as { tlogs: unknown[] };
    expect(root.tlogs).toHaveLength(2);
  });

  it.each([
    ['no Rekor key (containers/image refuses the policy)', { rekorPublicKeyPath: undefined }, ''],
    ['no subjectEmail', { fulcio: { caPath: '/etc/fulcio.pem', oidcIssuer: ISSUER } }, '.fulcio.subjectEmail'],
    ['an unknown fulcio field', { fulcio: { caPath: '/c', oidcIssuer: ISSUER, subjectEmail: EMAIL, x: 1 } }, '.fulcio."x"'],
    ['both caPath and caData', { fulcio: { caPath: '/c', caData: 'AA==', oidcIssuer: ISSUER, subjectEmail: EMAIL } }, '.fulcio'],
  ])('%s is POLICY_CONVERT_INVALID', (_name, change, at) => {
    const f = failure(() => convert({ ...fulcio(), ...change }));
    expect(f.code).toBe('POLICY_CONVERT_INVALID');
    expect(f.paths).toContain(`transports.docker["${SCOPE}"][0]${at}`);
  }); // prettier-ignore

  it.each([
    ['an RSA Rekor key (containers/image accepts ECDSA only)', RSA, () => ca.chainPem, /not ECDSA/],
    ['a CA file with a private key in it', REKOR, () => ca.intermediate.keyPem + ca.chainPem, /PRIVATE KEY/],
    ['a CA file without a certificate', REKOR, () => 'not a pem', /no PEM certificate/],
  ])('refuses %s at the fulcio path', (_name, rekor, caPem, message) => {
    const f = failure(() => convert(fulcio(), { '/etc/fulcio.pem': caPem(), '/etc/rekor.pub': rekor }));
    expect(f.code).toBe('POLICY_CONVERT_UNMAPPABLE');
    expect(f.message).toMatch(message);
  });

  it('pki is still refused: write the keyless authority by hand', () => {
    const f = failure(() =>
      convert(
        { pki: { caRootsPath: '/etc/roots.pem', subjectEmail: EMAIL } },
        { '/etc/roots.pem': ca.chainPem },
      ),
    );
    expect(f.paths).toEqual([`transports.docker["${SCOPE}"][0].pki`]);
  });
});
