// `policy from-portieris` on `policy.simple` (GPG simple signing): Portieris's e2e policies become simpleSigning
// authorities the real compiler accepts, with Portieris's key Secret field, its signedIdentity names mapped to
// containers-policy.json(5)'s, every requirement required, and what Portcullis cannot do refused.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateKey } from 'openpgp';
import { compilePolicy } from '../../../src/policy/compile/compile';
import { convertPortieris, type PortierisOptions } from '../../../src/convert/portieris';
import { refusal } from './refusal';

const FIXTURE = readFileSync(
  path.join(__dirname, '..', '..', 'fixtures', 'migration', 'portieris', 'imagepolicy-simple-signedby1.yaml'),
  'utf8',
);
const OPTIONS: PortierisOptions = { noMatch: 'deny', namespace: 'default', rootKeys: [], signers: new Map() };
const STORE = 'https://sigstore.example.com/sigs';

// withStore adds `storeURL` under the fixture's `simple:` (Portieris reads the registry's signature API otherwise).
const withStore = (text: string, extra = ''): string =>
  text.replace('         simple:\n', `         simple:\n           storeURL: "${STORE}"\n${extra}`);

// policy builds one Portieris policy of `kind` with a simple section (YAML flow text) on icr.io/cise/*.
function policy(kind: 'ImagePolicy' | 'ClusterImagePolicy', simple: string, trust = ''): string {
  const ns = kind === 'ImagePolicy' ? ', namespace: team' : '';
  return (
    `apiVersion: portieris.cloud.ibm.com/v1\nkind: ${kind}\nmetadata: {name: p${ns}}\nspec:\n  repositories:\n` +
    `  - name: "icr.io/cise/*"\n    policy:\n      simple: ${simple}\n${trust}`
  );
}

describe('from-portieris policy.simple', () => {
  it('imagepolicy-simple-signedby1.yaml, given a storeURL, becomes a simpleSigning authority', () => {
    const c = convertPortieris(withStore(FIXTURE), OPTIONS);
    expect(c.policies).toHaveLength(1);
    const p = c.policies[0];
    expect(p?.kind).toBe('ImagePolicy');
    expect(p?.metadata.namespace).toBe('default');
    expect(p?.spec.images).toEqual([{ glob: 'icr.io/cise/**' }]);
    expect(p?.spec.threshold).toBeUndefined();
    expect(p?.spec.authorities).toEqual([
      {
        name: 'simple-1',
        simpleSigning: {
          keys: [{ secretRef: { name: 'simple1pubkey', namespace: 'default', key: 'key' } }],
          lookaside: STORE,
        },
      },
    ]);
    // simpleStore is outside Portieris's schema, so the API server drops it.
    expect(c.findings).toContainEqual(
      expect.objectContaining({ kind: 'unmapped', source: expect.stringContaining('policy.simpleStore') }),
    );
    expect(c.findings).toContainEqual(
      expect.objectContaining({ kind: 'semantics', message: expect.stringContaining('first armored block') }),
    );
  });

  it('refuses the unmodified fixture: without storeURL Portieris reads the registry signature API', () => {
    const e = refusal(() => convertPortieris(FIXTURE, OPTIONS));
    expect(e.code).toBe('POLICY_CONVERT_UNMAPPABLE');
    expect(e.message).toContain('policy.simple.storeURL');
    expect(e.message).toContain('X-Registry-Supports-Signatures');
  });

  it('the converted policy compiles, its key read from the Secret field Portieris reads ("key")', async () => {
    const { publicKey } = await generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ name: 'simple1' }],
    });
    const p = convertPortieris(withStore(FIXTURE), OPTIONS).policies[0];
    if (p === undefined) throw new Error('no policy');
    const compiled = compilePolicy(p, {
      secrets: {
        get: (ns, name) => (ns === 'default' && name === 'simple1pubkey' ? { key: publicKey } : undefined),
      },
      defaultNamespace: 'default',
    });
    expect(compiled.authorities[0]?.kind).toBe('simpleSigning');
  });

  it.each([
    ['{type: matchExact}', { type: 'matchExact' }],
    ['{type: matchRepository}', { type: 'matchRepository' }],
    [
      '{type: matchExactReference, dockerReference: "icr.io/cise/app:1"}',
      { type: 'exactReference', dockerReference: 'icr.io/cise/app:1' },
    ],
    [
      '{type: matchExactRepository, dockerRepository: "icr.io/cise/app"}',
      { type: 'exactRepository', dockerRepository: 'icr.io/cise/app' },
    ],
    [
      '{type: remapIdentity, prefix: "icr.io/cise/remap", signedPrefix: "icr.io/cise"}',
      { type: 'remapIdentity', prefix: 'icr.io/cise/remap', signedPrefix: 'icr.io/cise' },
    ],
  ])('maps signedIdentity %s', (identity, expected) => {
    const simple = `{storeURL: "${STORE}", requirements: [{type: signedBy, keySecret: k, signedIdentity: ${identity}}]}`;
    const c = convertPortieris(policy('ImagePolicy', simple), OPTIONS);
    expect(c.policies[0]?.spec.authorities[0]?.simpleSigning?.signedIdentity).toEqual(expected);
  });

  it('requires every signedBy requirement (threshold = their number), as containers/image does', () => {
    const simple =
      `{storeURL: "${STORE}", requirements: [{type: signedBy, keySecret: k1}, ` +
      '{type: insecureAcceptAnything}, {type: signedBy, keySecret: k2, keySecretNamespace: team}]}';
    const p = convertPortieris(policy('ImagePolicy', simple), OPTIONS).policies[0];
    expect(p?.spec.threshold).toBe(2);
    expect(p?.spec.authorities.map((a) => a.simpleSigning?.keys[0]?.secretRef?.name)).toEqual(['k1', 'k2']);
  });

  it('simple and trust both apply: two policies, each must pass', () => {
    const trust = '      trust: {enabled: true, trustServer: "https://notary.example.com"}\n';
    const simple = `{storeURL: "${STORE}", requirements: [{type: signedBy, keySecret: k}]}`;
    const c = convertPortieris(policy('ImagePolicy', simple, trust), { ...OPTIONS, rootKeys: ['KEY'] });
    expect(c.policies.map((p) => Object.keys(p.spec.authorities[0] ?? {}).sort())).toEqual([
      ['name', 'simpleSigning'],
      ['name', 'notaryV1'],
    ]);
  });

  it('insecureAcceptAnything alone checks nothing; reject denies (both left to --no-match)', () => {
    const accept = policy('ClusterImagePolicy', '{requirements: [{type: insecureAcceptAnything}]}').replace(
      'icr.io/cise/*',
      '*',
    );
    expect(convertPortieris(accept, { ...OPTIONS, noMatch: 'allow' }).policies).toEqual([]);
    expect(refusal(() => convertPortieris(accept, OPTIONS)).message).toContain('without verification');
    const reject = policy(
      'ClusterImagePolicy',
      '{requirements: [{type: reject}, {type: insecureAcceptAnything}]}',
    );
    expect(convertPortieris(reject, OPTIONS).policies).toEqual([]);
  });

  it.each([
    ['ClusterImagePolicy', '[{type: signedBy, keySecret: k}]', 'Add keySecretNamespace'],
    [
      'ImagePolicy',
      '[{type: signedBy, keySecret: k, keySecretNamespace: other}]',
      'only in its own namespace',
    ],
    ['ImagePolicy', '[{type: signedBy}]', 'without keySecret'],
    ['ImagePolicy', '[{type: signedByX509}]', 'requirement type "signedByX509"'],
    [
      'ImagePolicy',
      '[{type: signedBy, keySecret: k, signedIdentity: {type: matchRepoDigestOrExact}}]',
      'knows',
    ],
    ['ImagePolicy', '[{type: signedBy, keySecret: k, signedIdentity: {type: remapIdentity}}]', 'needs it'],
  ])('refuses a %s with requirements %s', (kind, requirements, message) => {
    const simple = `{storeURL: "${STORE}", requirements: ${requirements}}`;
    const e = refusal(() => convertPortieris(policy(kind as 'ImagePolicy', simple), OPTIONS));
    expect(e.message).toContain(message);
  });

  it.each([
    [
      `{storeURL: "${STORE}", storeSecret: creds, requirements: [{type: signedBy, keySecret: k}]}`,
      'storeSecret',
    ],
    [
      '{storeURL: "http://sigstore.example.com", requirements: [{type: signedBy, keySecret: k}]}',
      'plain http is allowed only for loopback hosts; use https',
    ],
    [
      '{storeURL: "https://u:p@sigstore.example.com", requirements: [{type: signedBy, keySecret: k}]}',
      'credentials',
    ],
  ])('refuses a store Portcullis cannot read: %s', (simple, message) => {
    const e = refusal(() => convertPortieris(policy('ImagePolicy', simple), OPTIONS));
    expect(e.message).toContain(message);
    expect(e.message).not.toContain('u:p@');
  });
});
