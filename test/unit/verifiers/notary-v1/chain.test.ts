// Chain failures on repositories built and signed in the test, each verified end to end through a loopback server.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FieldError } from '../../../../src/policy/errors';
import { compileNotaryV1Authority } from '../../../../src/policy/authorities/notary-v1';
import { VerifyError } from '../../../../src/verifiers/errors';
import { notaryV1Verifier } from '../../../../src/verifiers/notary-v1/verifier';
import { MAX_TUF_ROLE_BYTES } from '../../../../src/verifiers/notary-v1/limits';
import { notaryContext, notaryTarget } from './fixtures';
import { makeSigner, target, TestRepo, type RepoOptions } from './tuf-builder';
import { rolePath, startTrustServer, type TrustServer } from './trust-server';

const GUN = 'registry.example.com/team/app';
const HEX = 'ab'.repeat(32);
const OTHER = 'cd'.repeat(32);
const SIZE = 1234;
const repo = new TestRepo();
let server: TrustServer;
let intercept: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;

beforeAll(async () => {
  server = await startTrustServer((req, res) => intercept?.(req, res) ?? false);
});
afterAll(() => server.close());
afterEach(() => {
  intercept = undefined;
});

// serve publishes a built repository on the fixture server.
function serve(files: Map<string, Buffer>): void {
  server.files.clear();
  for (const [role, bytes] of files) server.files.set(rolePath(GUN, role), bytes);
}

// verify runs the verifier for an image of GUN against the served repository.
async function verify(image: string, opts: { delegations?: string[]; rootKeys?: string[] } = {}) {
  const errors: FieldError[] = [];
  const authority = compileNotaryV1Authority(
    'dct',
    {
      server: server.url,
      rootKeys: opts.rootKeys ?? [repo.root.publicPem],
      delegations: opts.delegations ?? [],
    },
    'a',
    errors,
  );
  expect(errors).toEqual([]);
  const resolved = { digest: `sha256:${HEX}`, size: SIZE };
  return notaryV1Verifier.verify(notaryTarget(`${GUN}${image}`, resolved), authority, notaryContext());
}

// failure returns the VerifyError a verification ends with.

const signedV1: RepoOptions = { targets: { v1: target(HEX, SIZE) } };
const releases = makeSigner();
const qa = makeSigner('eddsa');

test('a repository signed in targets verifies for its tag and its digest', async () => {
  serve(repo.build(signedV1));
  await expect(verify(':v1')).resolves.toMatchObject({ scheme: 'notaryV1' });
  await expect(verify(`@sha256:${HEX}`)).resolves.toMatchObject({ scheme: 'notaryV1' });
});

test('targets/releases counts for tags, and required delegations must sign the same digest', async () => {
  serve(
    repo.build({
      targets: { v1: target(OTHER, SIZE) },
      delegations: [
        { name: 'targets/releases', signer: releases, targets: { v1: target(HEX, SIZE) } },
        { name: 'targets/qa', signer: qa, targets: { v1: target(OTHER, SIZE) } },
      ],
    }),
  );
  await expect(verify(':v1', { delegations: ['targets/releases'] })).resolves.toMatchObject({
    summary: expect.stringContaining('targets/releases') as unknown,
  });
  await expect(verify(':v1', { delegations: ['targets/qa'] })).rejects.toThrowWithCode(
    'VERIFY_DELEGATION_MISSING',
    { instanceOf: VerifyError, message: `signed it as sha256:${OTHER}` },
  );
});

test.each<[string, RepoOptions, string, string, RegExp]>([
  [
    'a tag signed for another size',
    { targets: { v1: target(HEX, SIZE + 1) } },
    ':v1',
    'VERIFY_DIGEST_MISMATCH',
    /1235 bytes/,
  ],
  [
    'an expired targets role',
    { ...signedV1, expires: { targets: '2001-02-03T04:05:06Z' } },
    ':v1',
    'VERIFY_TUF_EXPIRED',
    /targets\.json expired on 2001-02-03T04:05:06/,
  ],
  [
    'an expired snapshot',
    { ...signedV1, expires: { snapshot: '2001-02-03T04:05:06Z' } },
    ':v1',
    'VERIFY_TUF_EXPIRED',
    /snapshot\.json expired/,
  ],
  [
    'targets changed after snapshot was signed',
    {
      ...signedV1,
      tamper: { targets: (b) => Buffer.from(b.toString().replace('"version":1', '"version":2')) },
    },
    ':v1',
    'VERIFY_TUF_HASH_MISMATCH',
    /sha256 of targets\.json/,
  ],
  [
    'a snapshot version other than timestamp lists',
    { ...signedV1, edit: { snapshot: (s) => void (s.version = 7) } },
    ':v1',
    'VERIFY_TUF_VERSION_MISMATCH',
    /version 7/,
  ],
  [
    'malformed root.json',
    { ...signedV1, tamper: { root: () => Buffer.from('{"signed": [') } },
    ':v1',
    'VERIFY_TUF_METADATA_INVALID',
    /root\.json is not valid JSON/,
  ],
  [
    'a float in signed metadata',
    {
      ...signedV1,
      tamper: {
        root: (b) =>
          Buffer.from(b.toString().replace('"consistent_snapshot":false', '"consistent_snapshot":1.5')),
      },
    },
    ':v1',
    'VERIFY_TUF_METADATA_INVALID',
    /canonical/,
  ],
  [
    'an unknown key type for targets',
    {
      ...signedV1,
      edit: {
        root: (s) =>
          void ((s.keys as Record<string, { keytype: string }>)[repo.targets.id]!.keytype = 'rsa-pss-sha9'),
      },
    },
    ':v1',
    'VERIFY_TUF_THRESHOLD',
    /key type "rsa-pss-sha9" is not supported/,
  ],
  [
    'a root threshold below 1',
    {
      ...signedV1,
      edit: { root: (s) => void ((s.roles as Record<string, { threshold: number }>).targets!.threshold = 0) },
    },
    ':v1',
    'VERIFY_TUF_METADATA_INVALID',
    /threshold below 1/,
  ],
  [
    'a targets threshold of 2 with one signature',
    {
      ...signedV1,
      edit: { root: (s) => void ((s.roles as Record<string, { threshold: number }>).targets!.threshold = 2) },
    },
    ':v1',
    'VERIFY_TUF_THRESHOLD',
    /1 valid signature\(s\) of the 2 required/,
  ],
  [
    'a delegation that is not below its parent (cycle)',
    {
      delegations: [
        { name: 'targets/releases', signer: releases, targets: {} },
        { name: 'targets/qa', parent: 'targets/releases', signer: releases, targets: {} },
      ],
    },
    ':v1',
    'VERIFY_TUF_METADATA_INVALID',
    /not below it/,
  ],
  [
    'a releases target outside the delegation paths',
    {
      delegations: [
        { name: 'targets/releases', signer: releases, targets: { v1: target(HEX, SIZE) }, paths: ['prod-'] },
      ],
    },
    ':v1',
    'VERIFY_TAG_NOT_SIGNED',
    /targets\/releases/,
  ],
  ['a digest no target carries', signedV1, `@sha256:${OTHER}`, 'VERIFY_NO_SIGNATURES', /carries sha256:cdcd/],
])('denies %s', async (_what, options, image, code, pattern) => {
  serve(repo.build(options));
  await expect(verify(image)).rejects.toThrowWithCode(code, { instanceOf: VerifyError, message: pattern });
});

test('denies a repository the server has no trust data for', async () => {
  server.files.clear();
  await expect(verify(':v1')).rejects.toThrowWithCode('VERIFY_NO_SIGNATURES', { instanceOf: VerifyError });
});

test('refuses to read huge metadata, without reading it all', async () => {
  serve(repo.build(signedV1));
  intercept = (req, res) => {
    if (!req.url?.endsWith('/timestamp.json')) return false;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(Buffer.alloc(MAX_TUF_ROLE_BYTES + 1, 0x20));
    return true;
  };
  await expect(verify(':v1')).rejects.toThrowWithCode('VERIFY_TUF_METADATA_INVALID', {
    instanceOf: VerifyError,
    message: 'larger than',
  });
});

test('fetches with a registry token scoped to the GUN, using the keychain entry for the notary host', async () => {
  serve(repo.build(signedV1));
  const seen: string[] = [];
  intercept = (req, res) => {
    const auth = req.headers.authorization ?? '';
    if (req.url?.startsWith('/token')) {
      seen.push(`${auth} ${new URL(req.url, 'http://x').searchParams.get('scope') ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"tok-123"}');
      return true;
    }
    if (auth !== 'Bearer tok-123') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${server.url}/token",service="notary"` }).end();
      return true;
    }
    return false;
  };
  const host = new URL(server.url).host;
  const ctx = notaryContext();
  const withCreds = {
    ...ctx,
    request: {
      ...ctx.request,
      credentials: { lookup: (h: string) => (h === host ? { username: 'u', password: 'p' } : undefined) },
    },
  };
  const authority = compileNotaryV1Authority(
    'dct',
    { server: server.url, rootKeys: [repo.root.publicPem] },
    'a',
    [],
  );
  await notaryV1Verifier.verify(
    notaryTarget(`${GUN}:v1`, { digest: `sha256:${HEX}`, size: SIZE }),
    authority,
    withCreds,
  );
  expect(seen[0]).toBe(`Basic ${Buffer.from('u:p').toString('base64')} repository:${GUN}:pull`);
});
