import type { CompiledOciVaultAuthority } from '../../policy/compile/compiled.types';
import type { Evidence, Verifier, VerifyContext, VerifyTarget } from '../verifier.types';
import type { OciVaultVerifierOptions } from './verifier';

/**
 * The OCI Vault verifier, loaded on its first use: the Oracle Cloud SDK costs ~30 MiB of memory and start-up
 * time, which a cluster without `ociVault` authorities should not pay.
 */
export function createLazyOciVaultVerifier(
  options: OciVaultVerifierOptions = {},
): Verifier<CompiledOciVaultAuthority> {
  let loaded: Verifier<CompiledOciVaultAuthority> | undefined;
  return {
    scheme: 'ociVault',
    // verify loads the real verifier once (a CommonJS require, cached by Node), then delegates.
    verify(
      target: VerifyTarget,
      authority: CompiledOciVaultAuthority,
      ctx: VerifyContext,
    ): Promise<Evidence> {
      loaded ??= loadVerifier().createOciVaultVerifier(options);
      return loaded.verify(target, authority, ctx);
    },
  };
}

// loadVerifier requires the verifier module on demand; a static import would load the SDK at start-up.
function loadVerifier(): typeof import('./verifier') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the deliberate lazy load above
  return require('./verifier') as typeof import('./verifier');
}
