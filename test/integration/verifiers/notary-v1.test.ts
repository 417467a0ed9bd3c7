// notaryV1Verifier and the webhook against a real notary-server and the real notary CLI (Debian's notary
// package), with images pushed to the harness registry and their real manifest digests and sizes signed.
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { stringify } from 'yaml';
import pino from 'pino';
import type { CompiledNotaryV1Authority } from '../../../src/policy/compile/compiled.types';
import type { FieldError } from '../../../src/policy/errors';
import { policiesFromHpvs, toPolicyYaml } from '../../../src/convert/hpvs';
import { compileNotaryV1Authority } from '../../../src/policy/authorities/notary-v1';
import { parseImageReference } from '../../../src/reference';
import type { RegistryReader } from '../../../src/registry/registry.types';
import { VerifyError } from '../../../src/verifiers/errors';
import { notaryV1Verifier } from '../../../src/verifiers/notary-v1/verifier';
import type { Evidence, VerifyContext, VerifyTarget } from '../../../src/verifiers/verifier.types';
import { loadHarness } from '../../harness/env';
import { pushRandomImage, type PushedImage } from '../../harness/images';
import { NotaryCli, startNotaryServer, type NotaryServer } from '../../harness/notary';
import {
  admissionReview,
  buildTestWebhook,
  podObject,
  type TestWebhook,
  admitThroughBoth,
} from '../../harness/webhook';
import { newRegistryReader } from './registry-reader';

const DAY_MS = 24 * 60 * 60 * 1000;
const REPO = 'dct/app';

const h = loadHarness();
let server: NotaryServer;
let cli: NotaryCli;
let reader: RegistryReader;
let gun: string;
let rootKey: string;
const images: Record<'v1' | 'v2' | 'v3' | 'v4', PushedImage> = {} as never;

beforeAll(async () => {
  server = await startNotaryServer();
  cli = await NotaryCli.create(server.url);
  reader = newRegistryReader();
  gun = `${h.referrers.host}/${REPO}`;
  for (const tag of ['v1', 'v2', 'v3', 'v4'] as const)
    images[tag] = await pushRandomImage(h.referrers.host, REPO, tag);
  await cli.init(gun);
  await cli.addDelegation(gun, 'targets/releases');
  await cli.addDelegation(gun, 'targets/qa');
  // v1: signed by releases and qa; v2 and v4: releases only; v3: never signed.
  await cli.addHash(gun, 'v1', images.v1.size, images.v1.digest, ['targets/releases', 'targets/qa']);
  await cli.addHash(gun, 'v2', images.v2.size, images.v2.digest, ['targets/releases']);
  await cli.addHash(gun, 'v4', images.v4.size, images.v4.digest, ['targets/releases']);
  // v4 is pushed again after signing: the tag now names other content.
  images.v4 = await pushRandomImage(h.referrers.host, REPO, 'v4');
  rootKey = await cli.rootKeyBase64(gun);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await cli?.cleanup();
});

// authority compiles a notaryV1 authority as a policy would.
function authority(
  opts: { rootKeys?: string[]; delegations?: readonly string[]; server?: string } = {},
): CompiledNotaryV1Authority {
  const errors: FieldError[] = [];
  const a = compileNotaryV1Authority(
    'dct',
    {
      server: opts.server ?? server.url,
      rootKeys: opts.rootKeys ?? [rootKey],
      delegations: [...(opts.delegations ?? [])],
    },
    'spec.authorities[0].notaryV1',
    errors,
  );
  expect(errors).toEqual([]);
  return a;
}

// resolveTarget resolves a reference at the registry, as the engine does before verifying.
async function resolveTarget(image: string): Promise<VerifyTarget> {
  const ref = parseImageReference(image);
  const repo = { registry: ref.registry, repository: ref.repository };
  const descriptor = await reader.resolve(repo, ref.digest ?? ref.tag ?? 'latest', context().request);
  return { ref, repo, digest: descriptor.digest, descriptor: () => Promise.resolve(descriptor) };
}

// context hands the verifier the real registry client; `now` may be moved to test expiry.
function context(now = new Date(), deadlineMs = 20_000): VerifyContext {
  return {
    registry: reader,
    request: { deadline: Date.now() + deadlineMs, credentials: { lookup: () => undefined } },
    now: () => now,
    logger: pino({ level: 'silent' }),
  };
}

// failure runs the verifier and returns its error.
async function failure(run: Promise<Evidence>): Promise<{ code: string; message: string }> {
  const e = await run.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeDefined();
  return e as { code: string; message: string };
}

// otherRoot makes a self-signed certificate that did not sign this repository.
function otherRoot(): string {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  void privateKey;
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

describe('notaryV1Verifier against notary-server', () => {
  test('admits a signed tag whose digest matches (targets/releases), pinned as HPVS base64 or PEM', async () => {
    const target = await resolveTarget(`${gun}:v1`);
    const pem = Buffer.from(rootKey, 'base64').toString('utf8');
    expect(new X509Certificate(pem).subject).toContain(gun);
    for (const key of [rootKey, pem]) {
      const evidence = await notaryV1Verifier.verify(target, authority({ rootKeys: [key] }), context());
      expect(evidence.summary).toContain('targets/releases');
    }
  });

  test('admits a digest reference that a signed target carries, and a required delegation that signed it', async () => {
    const target = await resolveTarget(`${gun}@${images.v1.digest}`);
    const ev = await notaryV1Verifier.verify(target, authority({ delegations: ['targets/qa'] }), context());
    expect(ev.scheme).toBe('notaryV1');
  });

  test.each([
    ['the tag was re-pushed after signing', 'v4', {}, 'VERIFY_DIGEST_MISMATCH', /pushed again after signing/],
    ['the tag is unsigned', 'v3', {}, 'VERIFY_TAG_NOT_SIGNED', /tag "v3" is not signed in targets\/releases/],
    [
      'a required delegation did not sign',
      'v2',
      { delegations: ['targets/qa'] },
      'VERIFY_DELEGATION_MISSING',
      /targets\/qa did not sign it/,
    ],
    [
      'a required delegation does not exist',
      'v1',
      { delegations: ['targets/ops'] },
      'VERIFY_DELEGATION_MISSING',
      /does not delegate to it/,
    ],
  ] as const)('denies when %s', async (_what, tag, opts, code, pattern) => {
    const target = await resolveTarget(`${gun}:${tag}`);
    await expect(notaryV1Verifier.verify(target, authority(opts), context())).rejects.toThrowWithCode(code, {
      instanceOf: VerifyError,
      message: pattern,
    });
  });

  test('denies when the pinned root key is not the repository root', async () => {
    const target = await resolveTarget(`${gun}:v1`);
    await expect(
      notaryV1Verifier.verify(target, authority({ rootKeys: [otherRoot()] }), context()),
    ).rejects.toThrowWithCode('VERIFY_TUF_ROOT_UNTRUSTED');
  });

  test('denies expired metadata: timestamp.json (14 days) has expired 15 days after publishing', async () => {
    const target = await resolveTarget(`${gun}:v1`);
    const later = new Date(Date.now() + 15 * DAY_MS);
    await expect(notaryV1Verifier.verify(target, authority(), context(later))).rejects.toThrowWithCode(
      'VERIFY_TUF_EXPIRED',
      { message: /timestamp\.json expired on \d{4}-\d\d-\d\d/ },
    );
  });

  test('denies a repository that was never signed', async () => {
    const other = await pushRandomImage(h.referrers.host, 'dct/never', 'v1');
    const target = await resolveTarget(`${h.referrers.host}/dct/never:v1`);
    expect(target.digest).toBe(other.digest);
    await expect(notaryV1Verifier.verify(target, authority(), context())).rejects.toThrowWithCode(
      'VERIFY_NO_SIGNATURES',
    );
  });

  test('denies within the deadline when the notary server is unreachable', async () => {
    const target = await resolveTarget(`${gun}:v1`);
    const started = Date.now();
    const closed = 'http://127.0.0.1:9';
    const e = await failure(
      notaryV1Verifier.verify(target, authority({ server: closed }), context(new Date(), 2_000)),
    );
    expect(['REGISTRY_UNREACHABLE', 'REGISTRY_TIMEOUT']).toContain(e.code);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('webhook end to end with a notaryV1 policy', () => {
  let hook: TestWebhook;
  let hpvsHook: TestWebhook;

  beforeAll(async () => {
    const policy = {
      apiVersion: 'portcullis.dev/v1alpha1',
      kind: 'ClusterImagePolicy',
      metadata: { name: 'dct-signed' },
      spec: {
        images: [{ glob: `${gun}` }],
        authorities: [
          {
            name: 'dct',
            notaryV1: { server: server.url, rootKeys: [rootKey], delegations: ['targets/releases'] },
          },
        ],
      },
    };
    hook = await buildTestWebhook({ 'dct.yaml': stringify(policy) });
    // The HPVS path: a contract that pins this repository's root, converted by `policy from-hpvs`.
    const contract = stringify({
      type: 'workload',
      auths: { [h.referrers.host]: { username: 'u', password: 'never-print-me' } },
      images: { dct: { [gun]: { notary: server.url, publicKey: rootKey } } },
    });
    const yaml = toPolicyYaml(policiesFromHpvs(contract, { namespace: 'team-a' }), 'contract.yaml');
    expect(yaml).not.toContain('never-print-me');
    hpvsHook = await buildTestWebhook({ 'hpvs.yaml': yaml });
  });

  // review sends one pod and returns the response.
  async function review(
    w: TestWebhook,
    image: string,
  ): Promise<{ allowed: boolean; status?: { message?: string } }> {
    // As the API server does: /mutate pins the tag (the verifier still judges tag and digest), then /validate.
    return admitThroughBoth(w.app, admissionReview(podObject({ app: image })));
  }

  test.each([
    ['v1', true, undefined],
    ['v3', false, /VERIFY_TAG_NOT_SIGNED|not signed/],
    ['v4', false, /pushed again after signing/],
  ] as const)('tag %s: allowed=%s', async (tag, allowed, pattern) => {
    for (const w of [hook, hpvsHook]) {
      const r = await review(w, `${gun}:${tag}`);
      expect(r.allowed).toBe(allowed);
      if (pattern) expect(r.status?.message ?? '').toMatch(pattern);
    }
  });
});
