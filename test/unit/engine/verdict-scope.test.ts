// A cached verdict is reused only where it holds: a simpleSigning or Notary v1 verdict depends on the reference
// (signedIdentity, the signed tag and repository), so the same digest under another name is verified again;
// a cosign verdict binds the digest alone, so it is reused, unless its authority sets signedIdentity.
import { verifyOne } from '../../../src/engine/verify-authority';
import type { CompiledAuthority, CompiledPolicy } from '../../../src/policy/compile/compiled.types';
import { parseImageReference } from '../../../src/reference/parse';
import type { VerifyContext, VerifyTarget } from '../../../src/verifiers/verifier.types';
import { countingRegistry, deps, DIGEST, type VerifyFn } from './engine-fixtures';

const POLICY = {
  id: 'ClusterImagePolicy/p',
  cacheKey: 'p#1',
  registry: { onError: 'deny' },
} as unknown as CompiledPolicy;

// target names DIGEST through `image`.
function target(image: string): VerifyTarget {
  const ref = parseImageReference(image);
  return {
    ref,
    repo: { registry: ref.registry, repository: ref.repository },
    digest: DIGEST,
    descriptor: () => Promise.reject(new Error('not used')),
  };
}

// judge verifies `images` in turn with an authority of `kind` that only accepts the tag `signed` of team/app.
// `referenceBound` is what the authority compilers set (asserted in the policy tests): true for simpleSigning,
// notaryV1 and cosign with signedIdentity.
async function judge(
  kind: string,
  images: string[],
  extra: Record<string, unknown> = {},
): Promise<{ ok: boolean[]; runs: number }> {
  let runs = 0;
  const verify: VerifyFn = async (t, a) => {
    runs += 1;
    if (t.ref.repository !== 'team/app' || t.ref.tag !== 'signed')
      throw Object.assign(new Error('identity'), { code: 'VERIFY_IDENTITY_MISMATCH' });
    return { scheme: kind, authority: a.name, summary: 'ok' } as never;
  };
  const d = deps(countingRegistry(), verify);
  const referenceBound = kind !== 'cosign' || extra.signedIdentity !== undefined;
  const authority = { name: 'a', kind, referenceBound, ...extra } as unknown as CompiledAuthority;
  const ctx = { request: { deadline: Date.now() + 2000 } } as unknown as VerifyContext;
  const ok: boolean[] = [];
  for (const image of images) ok.push((await verifyOne(target(image), POLICY, authority, ctx, 'anon', d)).ok);
  return { ok, runs };
}

describe('verdict cache scope', () => {
  it.each(['simpleSigning', 'notaryV1'])(
    '%s: the same digest under another tag is verified again',
    async (kind) => {
      const r = await judge(kind, [
        'registry.example.com/team/app:signed',
        'registry.example.com/team/app:retagged',
      ]);
      expect(r).toEqual({ ok: [true, false], runs: 2 });
    },
  );

  it.each(['simpleSigning', 'notaryV1'])(
    '%s: the same digest in another repository is verified again',
    async (kind) => {
      const r = await judge(kind, [
        'registry.example.com/team/app:signed',
        'registry.example.com/team/other:signed',
      ]);
      expect(r).toEqual({ ok: [true, false], runs: 2 });
    },
  );

  it.each(['simpleSigning', 'notaryV1'])(
    '%s: the pinned form of a verified tag reuses its verdict',
    async (kind) => {
      const r = await judge(kind, [
        'registry.example.com/team/app:signed',
        `registry.example.com/team/app:signed@${DIGEST}`,
      ]);
      expect(r).toEqual({ ok: [true, true], runs: 1 });
    },
  );

  it('cosign: a verdict binds the digest, so another name of it reuses the verdict', async () => {
    const r = await judge('cosign', [
      'registry.example.com/team/app:signed',
      'registry.example.com/team/other:x',
    ]);
    expect(r).toEqual({ ok: [true, true], runs: 1 });
  });

  it('cosign with signedIdentity: the same digest under another name is verified again', async () => {
    const r = await judge(
      'cosign',
      ['registry.example.com/team/app:signed', 'registry.example.com/team/other:signed'],
      { signedIdentity: { type: 'matchRepository' } },
    );
    expect(r).toEqual({ ok: [true, false], runs: 2 });
  });

  it('cosign with signedIdentity: the pinned form of a verified tag reuses its verdict', async () => {
    const r = await judge(
      'cosign',
      ['registry.example.com/team/app:signed', `registry.example.com/team/app:signed@${DIGEST}`],
      { signedIdentity: { type: 'matchRepoDigestOrExact' } },
    );
    expect(r).toEqual({ ok: [true, true], runs: 1 });
  });
});
