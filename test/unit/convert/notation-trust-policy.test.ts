// `policy from-notation`'s pure converter: a Notation trust policy and trust store (notation-go's own test
// trust store, read from the vendored conformance data) into policies that the real compiler accepts.
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { compilePolicies } from '../../../src/policy';
import { PolicyError } from '../../../src/policy/errors';
import {
  parseNotationTrustPolicy,
  policiesFromNotation,
  toNotationPolicyYaml,
} from '../../../src/convert/notation-trust-policy';
import type {
  NotationConversion,
  NotationConversionOptions,
  NotationNamedStore,
  NotationStoreType,
} from '../../../src/convert/notation-trust-policy.types';
import { NOTATION_DIR } from '../verifiers/notation/fixtures';

const TRUST_STORE = path.join(NOTATION_DIR, 'notation-go', 'verifier', 'testdata', 'truststore');
const IDENTITY = 'x509.subject: C=US, ST=WA, O=Notary';

// readStore reads x509/<type>/<name>/ of notation-go's test trust store, as the CLI would.
function readStore(type: NotationStoreType, name: string): NotationNamedStore {
  const dir = path.join(TRUST_STORE, 'x509', type, name);
  const files = readdirSync(dir).map((f) => ({ name: f, data: readFileSync(path.join(dir, f)) }));
  return { type, name, files };
}

const STORES: NotationNamedStore[] = [
  readStore('ca', 'valid-trust-store'),
  readStore('ca', 'valid-trust-store-2'),
  readStore('signingAuthority', 'valid-trust-store'),
  readStore('tsa', 'test-timestamp'),
];
/** PEM of each certificate in a store folder, in file order (DER converted). */
const pemsOf = (store: NotationNamedStore): string[] =>
  store.files.map((f) => new X509Certificate(f.data).toString());

// statement builds one trust policy statement with sensible defaults.
function statement(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'app',
    registryScopes: ['registry.example.com/team/app'],
    signatureVerification: { level: 'strict' },
    trustStores: ['ca:valid-trust-store'],
    trustedIdentities: [IDENTITY],
    ...overrides,
  };
}

const doc = (...statements: unknown[]): string =>
  JSON.stringify({ version: '1.0', trustPolicies: statements });

// convert parses and converts, then compiles the output with the real compiler (it must be clean).
function convert(
  text: string,
  options: NotationConversionOptions = {},
  stores: NotationNamedStore[] = STORES,
): NotationConversion {
  const conversion = policiesFromNotation(parseNotationTrustPolicy(text), stores, options);
  const set = compilePolicies(
    conversion.policies.map((p) => p.object),
    { secrets: { get: () => undefined }, defaultNamespace: 'default' },
  );
  expect(set.broken.map((b) => b.reason)).toEqual([]);
  expect(set.policies).toHaveLength(conversion.policies.length);
  return conversion;
}

// caught runs `fn` and returns what it threw.
function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, but none was thrown');
}

describe('policiesFromNotation: registry scopes', () => {
  test.each<[string, string[], string[], RegExp | undefined]>([
    [
      'exact repositories',
      ['registry.example.com/a/b', 'localhost:5000/app'],
      ['registry.example.com/a/b', 'localhost:5000/app'],
      undefined,
    ],
    ['the global scope', ['*'], ['**'], undefined],
    [
      'a Docker Hub short path',
      ['docker.io/nginx'],
      ['docker.io/library/nginx'],
      /matched as "docker\.io\/library\/nginx"/,
    ],
  ])('%s', (_name, scopes, globs, note) => {
    const { policies, notes } = convert(doc(statement({ registryScopes: scopes })));
    expect(policies[0]?.object.spec.images).toEqual(globs.map((glob) => ({ glob })));
    if (note) expect(notes.map((n) => n.message)).toEqual([expect.stringMatching(note)]);
    else expect(notes).toEqual([]);
  });

  test('warns when the global scope coexists with specific scopes, on the global policy only', () => {
    const text = doc(
      statement({ name: 'global', registryScopes: ['*'] }),
      statement({ name: 'team', registryScopes: ['registry.example.com/team/app'] }),
    );
    const conversion = convert(text);
    expect(conversion.notes).toEqual([
      {
        statement: 'global',
        severity: 'warning',
        message: expect.stringMatching(
          /covers the scopes of "team"\. Notation applies only the most specific statement .* must pass "notation-global" too/,
        ),
      },
    ]);
    const yaml = toNotationPolicyYaml(conversion, 'tp.json');
    expect(yaml).toMatch(/# From trust policy statement "global"\.\n# WARNING: this policy's glob "\*\*"/);
    expect(yaml).toMatch(/# From trust policy statement "team"\.\napiVersion/);
  });
});

describe('policiesFromNotation: verification levels', () => {
  test.each<[string, Record<string, unknown>, string, RegExp[]]>([
    ['strict', { level: 'strict' }, 'strict', []],
    ['permissive', { level: 'permissive' }, 'permissive', []],
    ['audit', { level: 'audit' }, 'audit', []],
    ['a no-op override', { level: 'strict', override: { expiry: 'enforce' } }, 'strict', []],
    [
      'strict whose overrides make it permissive',
      { level: 'strict', override: { authenticTimestamp: 'log', expiry: 'log', revocation: 'log' } },
      'permissive',
      [/level strict with its overrides is exactly Portcullis level permissive/],
    ],
    [
      'audit enforcing authenticity',
      { level: 'audit', override: { authenticity: 'enforce' } },
      'permissive',
      [/exactly Portcullis level permissive/],
    ],
    [
      'permissive logging authenticity',
      { level: 'permissive', override: { authenticity: 'log' } },
      'audit',
      [/exactly Portcullis level audit/],
    ],
    [
      'permissive skipping revocation',
      { level: 'permissive', override: { revocation: 'skip' } },
      'permissive',
      [/revocation: skip becomes log/],
    ],
  ])('%s', (_name, signatureVerification, level, notes) => {
    const conversion = convert(doc(statement({ signatureVerification })));
    expect(conversion.policies[0]?.object.spec.authorities[0]?.notation?.verificationLevel).toBe(level);
    expect(conversion.notes.map((n) => n.message)).toEqual(notes.map((n) => expect.stringMatching(n)));
  });

  test('copies verifyTimestamp, and leaves it out when absent', () => {
    const [withIt] = convert(
      doc(statement({ signatureVerification: { level: 'strict', verifyTimestamp: 'afterCertExpiry' } })),
    ).policies;
    expect(withIt?.object.spec.authorities[0]?.notation?.verifyTimestamp).toBe('afterCertExpiry');
    const [without] = convert(doc(statement())).policies;
    expect(without?.object.spec.authorities[0]?.notation).not.toHaveProperty('verifyTimestamp');
  });
});

describe('policiesFromNotation: trust stores and identities', () => {
  const [ca1, ca2, sa, tsa] = STORES as [
    NotationNamedStore,
    NotationNamedStore,
    NotationNamedStore,
    NotationNamedStore,
  ];
  test.each<[string, string[], Record<string, string[]>]>([
    ['one ca store', ['ca:valid-trust-store'], { ca: pemsOf(ca1) }],
    [
      'two ca stores, merged',
      ['ca:valid-trust-store', 'ca:valid-trust-store-2'],
      { ca: [...pemsOf(ca1), ...pemsOf(ca2)] },
    ],
    ['a signing authority store', ['signingAuthority:valid-trust-store'], { signingAuthority: pemsOf(sa) }],
    [
      'ca and a DER tsa store (converted to PEM)',
      ['ca:valid-trust-store', 'tsa:test-timestamp'],
      { ca: pemsOf(ca1), tsa: pemsOf(tsa) },
    ],
    ['the same store twice', ['ca:valid-trust-store', 'ca:valid-trust-store'], { ca: pemsOf(ca1) }],
  ])('%s', (_name, trustStores, expected) => {
    const [policy] = convert(doc(statement({ trustStores }))).policies;
    expect(policy?.object.spec.authorities[0]?.notation?.trustStore).toEqual(expected);
  });

  test('the DER .cer file really is DER, and comes out as its PEM', () => {
    const der = tsa.files[0]?.data ?? Buffer.alloc(0);
    expect(Buffer.from(der).toString('latin1')).not.toContain('-----BEGIN');
    expect(pemsOf(tsa)[0]).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
  });

  test('reads concatenated PEM and DER certificates in one file, and notes ignored entries', () => {
    const [a, b] = ca1.files.map((f) => new X509Certificate(f.data));
    const both = (x: X509Certificate, y: X509Certificate) => [x.raw, y.raw];
    const stores: NotationNamedStore[] = [
      {
        type: 'ca',
        name: 'pem',
        files: [{ name: 'two.pem', data: Buffer.from(`${a?.toString()}junk\n${b?.toString()}`) }],
        ignored: ['the sub-folder old/'],
      },
      {
        type: 'ca',
        name: 'der',
        files: [{ name: 'two.cer', data: Buffer.concat(a && b ? both(b, a) : []) }],
      },
    ];
    const conversion = convert(doc(statement({ trustStores: ['ca:pem', 'ca:der'] })), {}, stores);
    expect(conversion.policies[0]?.object.spec.authorities[0]?.notation?.trustStore.ca).toEqual([
      a?.toString(),
      b?.toString(),
    ]);
    expect(conversion.notes.map((n) => n.message)).toEqual([
      expect.stringMatching(/ignored the sub-folder old\/ in trust store ca:pem/),
    ]);
  });

  test.each([[['*']], [[IDENTITY, 'x509.subject: C=US, ST=WA, O=Other, CN=release']]])(
    'copies trustedIdentities %j',
    (identities) => {
      const [policy] = convert(doc(statement({ trustedIdentities: identities }))).policies;
      expect(policy?.object.spec.authorities[0]?.notation?.trustedIdentities).toEqual(identities);
    },
  );
});

describe('policiesFromNotation: output objects', () => {
  test('ImagePolicies in the given namespace (default "default"), with unique names and the source annotation', () => {
    const text = doc(
      statement({ name: 'Team App' }),
      statement({ name: 'team-app', registryScopes: ['registry.example.com/other'] }),
    );
    for (const [options, namespace] of [
      [{}, 'default'],
      [{ namespace: 'team-a' }, 'team-a'],
    ] as const) {
      const { policies } = convert(text, options);
      expect(policies.map((p) => [p.object.kind, p.object.metadata])).toEqual([
        [
          'ImagePolicy',
          {
            name: 'notation-team-app',
            namespace,
            annotations: { 'portcullis.dev/notation-trust-policy': 'Team App' },
          },
        ],
        [
          'ImagePolicy',
          {
            name: 'notation-team-app-2',
            namespace,
            annotations: { 'portcullis.dev/notation-trust-policy': 'team-app' },
          },
        ],
      ]);
    }
  });

  test('ClusterImagePolicies with --cluster, without a namespace', () => {
    const { policies } = convert(doc(statement()), { cluster: true });
    expect(policies[0]?.object.kind).toBe('ClusterImagePolicy');
    expect(policies[0]?.object.metadata).not.toHaveProperty('namespace');
  });

  test('the YAML parses back to the same objects', () => {
    const conversion = convert(doc(statement(), statement({ name: 'all', registryScopes: ['*'] })));
    const yaml = toNotationPolicyYaml(conversion, 'trustpolicy.json');
    expect(yaml).toMatch(/^# Generated by `portcullis policy from-notation` from trustpolicy\.json\./);
    expect(yaml.split(/^---$/m).map((d) => parse(d) as unknown)).toEqual(
      conversion.policies.map((p) => p.object),
    );
  });
});

const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const privateDer = privateKey.export({ type: 'pkcs8', format: 'der' });
const encryptedPem = privateKey
  .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' })
  .toString();
const publicPem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();
const keyBody = privatePem.split('\n')[1] ?? '';

describe('parseNotationTrustPolicy refuses what Notation refuses', () => {
  test.each<[string, string, string, RegExp]>([
    ['not JSON', '{', 'POLICY_NOTATION_INVALID', /not valid JSON/],
    [
      'another version',
      JSON.stringify({ version: '2.0', trustPolicies: [statement()] }),
      'POLICY_NOTATION_INVALID',
      /version: .*must be "1\.0"/,
    ],
    ['no statements', doc(), 'POLICY_NOTATION_INVALID', /trustPolicies must be a non-empty array/],
    [
      'a statement without a name',
      doc(statement({ name: '' })),
      'POLICY_NOTATION_INVALID',
      /trustPolicies\[0\]\.name/,
    ],
    [
      'two statements with one name',
      doc(statement(), statement({ registryScopes: ['a.io/b'] })),
      'POLICY_NOTATION_INVALID',
      /"app" is also the name of trustPolicies\[0\]/,
    ],
    [
      '"*" with another scope',
      doc(statement({ registryScopes: ['*', 'a.io/b'] })),
      'POLICY_NOTATION_INVALID',
      /global scope\) must be the only scope/,
    ],
    [
      'two global statements',
      doc(statement({ registryScopes: ['*'] }), statement({ name: 'b', registryScopes: ['*'] })),
      'POLICY_NOTATION_INVALID',
      /only one statement may use the global scope/,
    ],
    [
      'a scope in two statements',
      doc(statement(), statement({ name: 'b' })),
      'POLICY_NOTATION_INVALID',
      /also a scope of "app": a repository may be in only one statement/,
    ],
    [
      'an unknown level',
      doc(statement({ signatureVerification: { level: 'lax' } })),
      'POLICY_NOTATION_INVALID',
      /level: .*must be strict, permissive, audit, skip, not "lax"/,
    ],
    [
      'an integrity override',
      doc(statement({ signatureVerification: { level: 'strict', override: { integrity: 'log' } } })),
      'POLICY_NOTATION_INVALID',
      /integrity validation cannot be overridden/,
    ],
    [
      'expiry: skip',
      doc(statement({ signatureVerification: { level: 'strict', override: { expiry: 'skip' } } })),
      'POLICY_NOTATION_INVALID',
      /override\.expiry: .*must be enforce, log, not "skip"/,
    ],
    [
      'a customized skip level',
      doc(statement({ signatureVerification: { level: 'skip', override: { revocation: 'log' } } })),
      'POLICY_NOTATION_INVALID',
      /a skip level cannot be customized/,
    ],
    [
      'skip with trust stores',
      doc(statement({ signatureVerification: { level: 'skip' } })),
      'POLICY_NOTATION_INVALID',
      /a skip level must not configure trustStores/,
    ],
    [
      'skip on the global scope',
      doc({ name: 'x', registryScopes: ['*'], signatureVerification: { level: 'skip' } }),
      'POLICY_NOTATION_INVALID',
      /cannot be used with the global scope/,
    ],
    [
      'a bad verifyTimestamp',
      doc(statement({ signatureVerification: { level: 'strict', verifyTimestamp: 'never' } })),
      'POLICY_NOTATION_INVALID',
      /verifyTimestamp: .*always, afterCertExpiry/,
    ],
    [
      'an unknown store type',
      doc(statement({ trustStores: ['x509:foo'] })),
      'POLICY_NOTATION_INVALID',
      /must be <type>:<name> with type ca, signingAuthority, tsa/,
    ],
    [
      'a store name with a path',
      doc(statement({ trustStores: ['ca:../etc'] })),
      'POLICY_NOTATION_INVALID',
      /trust store name "\.\.\/etc" may only hold/,
    ],
    [
      'no trust stores',
      doc(statement({ trustStores: [] })),
      'POLICY_NOTATION_INVALID',
      /trustStores: .*non-empty array/,
    ],
    [
      'no trusted identities',
      doc(statement({ trustedIdentities: undefined })),
      'POLICY_NOTATION_INVALID',
      /trustedIdentities: .*non-empty array/,
    ],
    [
      'an identity without ST',
      doc(statement({ trustedIdentities: ['x509.subject: C=US, O=Notary'] })),
      'POLICY_NOTATION_INVALID',
      /lacks ST/,
    ],
    [
      '"*" among identities',
      doc(statement({ trustedIdentities: ['*', IDENTITY] })),
      'POLICY_NOTATION_INVALID',
      /"\*" must be the only trusted identity/,
    ],
    [
      'an unknown field',
      doc(statement({ trustPolicyPlugins: ['x'] })),
      'POLICY_NOTATION_UNSUPPORTED',
      /trustPolicies\[0\]\.trustPolicyPlugins: .*does not know this field/,
    ],
  ])('%s', (_name, text, code, message) => {
    expect(() => parseNotationTrustPolicy(text)).toThrowWithCode(code, { instanceOf: PolicyError, message });
  });

  test('lists every problem at once, each with its path', () => {
    const error = caught(() =>
      parseNotationTrustPolicy(
        doc(statement({ name: 'a', registryScopes: [] }), statement({ name: 'b', trustStores: ['bad'] })),
      ),
    );
    expect((error as PolicyError).fieldErrors.map((e) => e.path)).toEqual([
      'trustPolicies[0] ("a").registryScopes',
      'trustPolicies[1] ("b").trustStores[0]',
    ]);
  });
});

describe('policiesFromNotation refuses what Portcullis cannot express, and bad stores', () => {
  // store is a ca store with one file holding `data`.
  const store = (name: string, data: string | Buffer, fileName = 'c.pem'): NotationNamedStore => ({
    type: 'ca',
    name,
    files: [{ name: fileName, data: typeof data === 'string' ? Buffer.from(data) : data }],
  });
  test.each<[string, string, NotationNamedStore[], string, RegExp]>([
    [
      'a skip level',
      doc(statement(), {
        name: 'unsigned',
        registryScopes: ['registry.example.com/u'],
        signatureVerification: { level: 'skip' },
      }),
      STORES,
      'POLICY_NOTATION_UNSUPPORTED',
      /trust policy "unsigned" \(registry\.example\.com\/u\): signatureVerification\.level "skip" has no Portcullis equivalent.*--no-match/,
    ],
    [
      'strict logging expiry only',
      doc(statement({ signatureVerification: { level: 'strict', override: { expiry: 'log' } } })),
      STORES,
      'POLICY_NOTATION_UNSUPPORTED',
      /trust policy "app": signatureVerification\.override\.expiry: log on level strict asks for authenticity enforce, authenticTimestamp enforce, expiry log, revocation enforce\. No Portcullis verificationLevel/,
    ],
    [
      'strict skipping revocation',
      doc(statement({ signatureVerification: { level: 'strict', override: { revocation: 'skip' } } })),
      STORES,
      'POLICY_NOTATION_UNSUPPORTED',
      /override\.revocation: skip on level strict .*\(revocation skip counts as log\)/,
    ],
    [
      'a scope with a tag',
      doc(statement({ registryScopes: ['registry.example.com/app:v1'] })),
      STORES,
      'POLICY_NOTATION_INVALID',
      /registry scope "registry\.example\.com\/app:v1": a scope is a repository name, without a tag/,
    ],
    [
      'a scope without a registry',
      doc(statement({ registryScopes: ['team/app'] })),
      STORES,
      'POLICY_NOTATION_INVALID',
      /not a fully qualified repository/,
    ],
    [
      'an upper-case path',
      doc(statement({ registryScopes: ['registry.example.com/Team'] })),
      STORES,
      'POLICY_NOTATION_INVALID',
      /not a valid repository name/,
    ],
    [
      'a store that was not provided',
      doc(statement({ trustStores: ['ca:missing'] })),
      STORES,
      'POLICY_NOTATION_INVALID',
      /names trust store ca:missing, which was not provided/,
    ],
    [
      'only a tsa store',
      doc(statement({ trustStores: ['tsa:test-timestamp'] })),
      STORES,
      'POLICY_NOTATION_INVALID',
      /names no ca: or signingAuthority: store/,
    ],
    [
      'an empty store',
      doc(statement({ trustStores: ['ca:empty'] })),
      [{ type: 'ca', name: 'empty', files: [] }],
      'POLICY_NOTATION_INVALID',
      /ca:empty: the folder holds no certificate/,
    ],
    [
      'a PEM private key',
      doc(statement({ trustStores: ['ca:k'] })),
      [store('k', privatePem, 'key.pem')],
      'POLICY_NOTATION_INVALID',
      /ca:k, file key\.pem: this looks like a private key/,
    ],
    [
      'an encrypted PEM private key',
      doc(statement({ trustStores: ['ca:k'] })),
      [store('k', encryptedPem)],
      'POLICY_NOTATION_INVALID',
      /looks like a private key/,
    ],
    [
      'a DER private key',
      doc(statement({ trustStores: ['ca:k'] })),
      [store('k', privateDer, 'key.cer')],
      'POLICY_NOTATION_INVALID',
      /looks like a private key/,
    ],
    [
      'a public key',
      doc(statement({ trustStores: ['ca:k'] })),
      [store('k', publicPem)],
      'POLICY_NOTATION_INVALID',
      /a PUBLIC KEY block; a trust store holds only certificates/,
    ],
    [
      'a text file',
      doc(statement({ trustStores: ['ca:k'] })),
      [store('k', 'hello')],
      'POLICY_NOTATION_INVALID',
      /neither a PEM certificate nor DER/,
    ],
    [
      'a damaged PEM certificate',
      doc(statement({ trustStores: ['ca:k'] })),
      [store('k', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')],
      'POLICY_NOTATION_INVALID',
      /not an X\.509 certificate/,
    ],
  ])('%s', (_name, text, stores, code, message) => {
    expect(() => policiesFromNotation(parseNotationTrustPolicy(text), stores)).toThrowWithCode(code, {
      instanceOf: PolicyError,
      message: [message, expect.not.stringContaining(keyBody)],
    });
  });

  test('output that would not compile is refused, naming the statement', () => {
    expect(() =>
      policiesFromNotation(parseNotationTrustPolicy(doc(statement())), STORES, {
        namespace: 'Not_A_Namespace',
      }),
    ).toThrowWithCode('POLICY_NOTATION_INVALID', {
      message: /trust policy "app" converts to a policy that does not compile:\nmetadata\.namespace/,
    });
  });
});
