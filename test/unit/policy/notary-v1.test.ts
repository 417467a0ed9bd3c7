// notaryV1 authorities at compile time: pinned root keys in every accepted form, server URL and delegation rules;
// and `policy from-hpvs` conversion.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PolicyError, type FieldError } from '../../../src/policy/errors';
import { policiesFromHpvs, toPolicyYaml } from '../../../src/convert/hpvs';
import { parseNotaryRootKeys } from '../../../src/policy/authorities/notary-keys';
import { compileNotaryV1Authority } from '../../../src/policy/authorities/notary-v1';
import { CONFORMANCE_DIR } from '../verifiers/conformance-registry';

const KEYS = path.join(CONFORMANCE_DIR, 'notaryv1', 'connaisseur', 'keys');
const rootPub = readFileSync(path.join(KEYS, 'root.pub'), 'utf8');
const rootCrt = readFileSync(path.join(KEYS, 'root.crt'), 'utf8');
/** The id root.json gives its root key (keyval.public = base64 of root.crt). */
const ROOT_KEY_ID = '52e8085cd75be93c5062130e08663a83a20f2eb9baf31f28eef4735e50f3a407';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('parseNotaryRootKeys', () => {
  test.each<[string, string]>([
    ['a PEM public key', rootPub],
    ['a PEM certificate', rootCrt],
    ['the base64 of a PEM certificate (HPVS)', b64(rootCrt)],
    ['the base64 of a PEM public key', b64(rootPub)],
  ])('accepts %s, all as the same key', (_name, text) => {
    const [key] = parseNotaryRootKeys([text], 'k');
    const [reference] = parseNotaryRootKeys([rootPub], 'k');
    expect(key?.keyObject.equals(reference?.keyObject as never)).toBe(true);
  });

  test('a pinned certificate carries the TUF key id root.json gives it', () => {
    expect(parseNotaryRootKeys([b64(rootCrt)], 'k')[0]?.tufKeyIds).toEqual([ROOT_KEY_ID]);
    expect(parseNotaryRootKeys([rootCrt], 'k')[0]?.tufKeyIds).toEqual([ROOT_KEY_ID]);
  });

  const privatePem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  test.each<[string, string[], string, RegExp]>([
    ['no key', [], 'k', /at least one root key/],
    ['text that is neither PEM nor base64', ['not a key!'], 'k[0]', /neither PEM nor base64/],
    ['base64 of something else', [b64('hello')], 'k[0]', /does not decode to PEM/],
    ['a private key', [privatePem], 'k[0]', /private key/],
    ['two PEM blocks in one entry', [rootPub + rootPub], 'k[0]', /one PEM certificate or public key/],
    ['a damaged certificate', [rootCrt.replace(/MII/, 'MIX')], 'k[0]', /does not parse/],
  ])('refuses %s with a field path', (_name, texts, field, pattern) => {
    let error: unknown;
    try {
      parseNotaryRootKeys(texts, 'k');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).code).toBe('POLICY_KEY_INVALID');
    expect((error as PolicyError).fieldErrors[0]?.path).toBe(field);
    expect((error as PolicyError).message).toMatch(pattern);
    expect((error as PolicyError).message).not.toContain('BEGIN');
  });
});

describe('compileNotaryV1Authority', () => {
  const compile = (server: string, delegations?: string[]) => {
    const errors: FieldError[] = [];
    const a = compileNotaryV1Authority(
      'dct',
      { server, rootKeys: [rootPub], ...(delegations ? { delegations } : {}) },
      'at',
      errors,
    );
    return { a, errors };
  };

  test('normalises the server URL and keeps delegations', () => {
    const { a, errors } = compile('https://notary.example.com:4443/', ['targets/releases']);
    expect(errors).toEqual([]);
    expect([a.kind, a.referenceBound, a.server, a.delegations, a.rootKeys.length]).toEqual([
      'notaryV1',
      true,
      'https://notary.example.com:4443',
      ['targets/releases'],
      1,
    ]);
    expect(compile('http://127.0.0.1:4443').errors).toEqual([]);
  });

  test.each<[string, string, string[] | undefined, string, RegExp]>([
    ['a server that is not a URL', 'notary.example.com', undefined, 'at.server', /not a URL/],
    ['plain http to another host', 'http://notary.example.com', undefined, 'at.server', /loopback/],
    ['credentials in the URL', 'https://u:p@notary.example.com', undefined, 'at.server', /credentials/],
    ['a query', 'https://notary.example.com/?x=1', undefined, 'at.server', /query/],
    ['a scheme other than https', 'ftp://notary.example.com', undefined, 'at.server', /not https/],
    [
      'a delegation that is not below targets',
      'https://n.example.com',
      ['releases'],
      'at.delegations[0]',
      /not a delegation role/,
    ],
    [
      'a delegation with ..',
      'https://n.example.com',
      ['targets/../root'],
      'at.delegations[0]',
      /not a delegation role/,
    ],
    [
      'a delegation listed twice',
      'https://n.example.com',
      ['targets/a', 'targets/a'],
      'at.delegations[1]',
      /twice/,
    ],
  ])('refuses %s', (_name, server, delegations, field, pattern) => {
    const { errors } = compile(server, delegations);
    expect(errors).toEqual([
      expect.objectContaining({
        path: field,
        code: 'POLICY_FIELD_VALUE',
        message: expect.stringMatching(pattern) as unknown,
      }),
    ]);
    expect(JSON.stringify(errors)).not.toContain('u:p@');
  });
});

describe('policiesFromHpvs', () => {
  const HPVS = path.join(CONFORMANCE_DIR, 'hpvs');
  test.each(['workload.yaml', 'contract.yaml'])(
    'converts %s into one ImagePolicy, without the auths',
    (file) => {
      const text = readFileSync(path.join(HPVS, file), 'utf8');
      const [policy, ...rest] = policiesFromHpvs(text, { namespace: 'ns' });
      expect(rest).toEqual([]);
      expect(policy?.metadata).toEqual({ name: 'hpvs-never-expire-image', namespace: 'ns' });
      expect(policy?.spec.images).toEqual([{ glob: 'docker.io/library/never-expire-image' }]);
      expect(policy?.spec.authorities[0]?.notaryV1?.rootKeys[0]).toBe(b64(rootCrt));
      expect(toPolicyYaml(policy ? [policy] : [], file)).not.toMatch(/not-a-real|portcullis-example|auths/);
    },
  );

  test('normalises image names and keeps policy names unique', () => {
    const contract = `images:\n  dct:\n    nginx: {notary: "https://n", publicKey: "x"}\n    example.com/a/nginx: {notary: "https://n", publicKey: "y"}\n`;
    const policies = policiesFromHpvs(contract);
    expect(policies.map((p) => [p.metadata.name, p.spec.images[0]?.glob])).toEqual([
      ['hpvs-nginx', 'docker.io/library/nginx'],
      ['hpvs-nginx-2', 'example.com/a/nginx'],
    ]);
  });

  test.each<[string, string, RegExp]>([
    ['not YAML', 'a: [', /not valid YAML/],
    ['not a mapping', '- a', /not a YAML mapping/],
    ['an encrypted workload', 'workload: hyper-protect-basic.abc.def\n', /encrypted/],
    ['no images.dct', 'type: workload\nauths: {r: {password: s3cret}}\n', /no images\.dct/],
    [
      'an entry without a publicKey',
      'images: {dct: {"docker.io/a/b": {notary: "https://n"}}}\nauths: {r: {password: s3cret}}',
      /needs "notary"/,
    ],
    [
      'a key that is not an image name',
      'images: {dct: {"UPPER CASE": {notary: "https://n", publicKey: "x"}}}',
      /not an image name/,
    ],
  ])('refuses %s without quoting the contract', (_name, text, pattern) => {
    expect(() => policiesFromHpvs(text)).toThrowWithCode('POLICY_HPVS_INVALID', {
      instanceOf: PolicyError,
      message: [pattern, expect.not.stringContaining('s3cret')],
    });
  });
});
