import type { CompiledNotaryV1Authority } from '../../policy/compile/compiled.types';
import { isTrustDataReader } from '../../registry/trust-data';
import { requireSha256, toVerifyError, VerifyError } from '../errors';
import { verifyBinding } from './binding';
import { loadTrustedRepository } from './repository';
import { createTufFetcher } from './tuf-client';
import type { Evidence, Verifier, VerifyContext, VerifyTarget } from '../verifier.types';

/**
 * Verifies Docker Content Trust (Notary v1) signatures: the repository's TUF metadata, fetched from the
 * authority's notary server for the GUN (the fully expanded name, e.g. `docker.io/library/nginx`), must chain
 * from a pinned root key down to a target that is exactly the resolved digest. See docs/notary-v1.md.
 */
export const notaryV1Verifier: Verifier<CompiledNotaryV1Authority> = {
  scheme: 'notaryV1',
  async verify(
    target: VerifyTarget,
    authority: CompiledNotaryV1Authority,
    ctx: VerifyContext,
  ): Promise<Evidence> {
    requireSha256(target, authority.name, 'Notary v1 targets');
    if (!isTrustDataReader(ctx.registry)) {
      const text = 'this registry client cannot reach notary servers (no trust-data support)';
      throw toVerifyError('VERIFY_UNSUPPORTED', target, authority.name, text);
    }
    const gun = target.ref.name;
    const fetcher = createTufFetcher(ctx.registry, authority.server, gun, ctx.request);
    try {
      const repo = await loadTrustedRepository(fetcher, gun, authority.rootKeys, ctx.now());
      const binding = await verifyBinding(repo, {
        ...(target.ref.tag === undefined ? {} : { tag: target.ref.tag }),
        ...(target.ref.digest === undefined ? {} : { digest: target.ref.digest }),
        descriptor: await target.descriptor(),
        requiredDelegations: authority.delegations,
      });
      ctx.logger.debug(
        { digest: target.digest, authority: authority.name, gun, role: binding.role, target: binding.target },
        'notary v1 trust data verified',
      );
      return {
        scheme: 'notaryV1',
        authority: authority.name,
        summary: `Notary v1 target "${binding.target}" signed in ${binding.role} of ${gun} (root v${repo.root.version}, ${new URL(authority.server).host})`,
      };
    } catch (error) {
      if (!(error instanceof VerifyError)) throw error;
      const text = `Notary v1 trust data for ${gun} at ${authority.server}: ${error.message}`;
      throw toVerifyError(error.code, target, authority.name, text, { gun, server: authority.server });
    }
  },
};
