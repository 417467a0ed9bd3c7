import type { CompiledSimpleSigningAuthority } from '../../policy/compile/compiled.types';
import { isLookasideReader, type LookasideReader } from '../../registry/lookaside';
import { RegistryError } from '../../registry/errors';
import { requireSha256, toVerifyError } from '../errors';
import { logOutcome, toEvidence } from '../kit/report';
import type { Evidence, Verifier, VerifyContext, VerifyTarget } from '../verifier.types';
import { examineSimpleSignature } from './examine';
import { MAX_SIMPLE_SIGNATURE_BYTES, MAX_SIMPLE_SIGNATURES_PER_IMAGE } from './limits';
import { trustedKeys } from './openpgp';
import type { SimpleSignatureRejected } from './outcome.types';
import { toSimpleSigningFailure } from './report';

/**
 * Verifies GPG simple signing (atomic container signatures, as `skopeo copy --sign-by` writes them): reads
 * `signature-1`, `signature-2`, … from the authority's lookaside store until a 404, and accepts the image when
 * one verifies with a policy key, binds exactly the resolved digest, and names an identity the authority's
 * signedIdentity accepts. See docs/simple-signing.md.
 */
export const simpleSigningVerifier: Verifier<CompiledSimpleSigningAuthority> = {
  scheme: 'simpleSigning',
  async verify(
    target: VerifyTarget,
    authority: CompiledSimpleSigningAuthority,
    ctx: VerifyContext,
  ): Promise<Evidence> {
    requireSha256(target, authority.name, 'simple-signing lookaside signatures');
    const reader = ctx.registry;
    if (!isLookasideReader(reader)) {
      const text = 'this registry client cannot read lookaside stores';
      throw toVerifyError('VERIFY_UNSUPPORTED', target, authority.name, text);
    }
    const keys = await trustedKeys(authority).catch(() => []);
    if (keys.length === 0) {
      const text = `none of the policy's GPG keys (${authority.keys.map((k) => k.fingerprint).join(', ')}) could be read by OpenPGP.js; export them again with gpg --armor --export`;
      throw toVerifyError('VERIFY_KEY_NOT_TRUSTED', target, authority.name, text);
    }
    const rejected: SimpleSignatureRejected[] = [];
    for (let index = 1; index <= MAX_SIMPLE_SIGNATURES_PER_IMAGE; index++) {
      const where = `signature-${index}`;
      const file = await fetchSignature(reader, target, authority, index, ctx);
      if (file === undefined) throw toSimpleSigningFailure(target, authority, { rejected, truncated: false });
      const outcome =
        file === 'too-large'
          ? ({
              ok: false,
              where,
              kind: 'too-large',
              reason: `larger than ${MAX_SIMPLE_SIGNATURE_BYTES} bytes`,
            } as const)
          : await examineSimpleSignature(file, where, { target, authority, keys, now: ctx.now() });
      const fields = outcome.ok ? { key: outcome.fingerprint } : { kind: outcome.kind };
      logOutcome(ctx, target, authority, 'simple signing', outcome, fields);
      if (outcome.ok) {
        const summary = `simple signing ${where} by GPG key ${outcome.fingerprint} for "${outcome.dockerReference}"`;
        return toEvidence(authority, outcome, summary);
      }
      rejected.push(outcome);
    }
    throw toSimpleSigningFailure(target, authority, { rejected, truncated: true });
  },
};

// fetchSignature reads one lookaside file; an oversized one is a refused signature, not an unreachable store.
async function fetchSignature(
  reader: LookasideReader,
  target: VerifyTarget,
  authority: CompiledSimpleSigningAuthority,
  index: number,
  ctx: VerifyContext,
): Promise<Buffer | 'too-large' | undefined> {
  try {
    return await reader.getLookasideSignature(
      {
        base: new URL(authority.lookaside),
        repository: target.repo.repository,
        digest: target.digest,
        index,
        maxBytes: MAX_SIMPLE_SIGNATURE_BYTES,
        tooLargeCode: 'REGISTRY_BLOB_TOO_LARGE',
      },
      ctx.request,
    );
  } catch (error) {
    if (error instanceof RegistryError && error.code === 'REGISTRY_BLOB_TOO_LARGE') return 'too-large';
    throw error;
  }
}
