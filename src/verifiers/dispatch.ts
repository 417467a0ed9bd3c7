import type {
  CompiledAuthority,
  CompiledCosignAuthority,
  CompiledNotationAuthority,
  CompiledOciVaultAuthority,
} from '../policy/compile/compiled.types';
import { cosignVerifier } from './cosign/verifier';
import { toVerifyError } from './errors';
import { notaryV1Verifier } from './notary-v1/verifier';
import { notationVerifier } from './notation/verifier';
import { createLazyOciVaultVerifier } from './oracle-vault/lazy';
import { simpleSigningVerifier } from './simple-signing/verifier';
import type { Evidence, Verifier, VerifyContext, VerifyTarget } from './verifier.types';

/** The default OCI Vault verifier; the SDK loads only when an ociVault authority is first verified. */
const ociVaultVerifier = createLazyOciVaultVerifier();

/** Verifiers that hold I/O settings (e.g. an extra trusted CA), built by the runtime; defaults otherwise. */
export interface ConfiguredVerifiers {
  /** cosign with the runtime's public-good root (refreshed through TUF when configured). */
  readonly cosign?: Verifier<CompiledCosignAuthority>;
  readonly ociVault?: Verifier<CompiledOciVaultAuthority>;
  /** Notation with the runtime's CRL fetcher (--registry-ca, clock). */
  readonly notation?: Verifier<CompiledNotationAuthority>;
}

/**
 * Runs the verifier of `authority.kind`. Throws a VerifyError (VERIFY_*) when the authority is not
 * satisfied; registry errors (REGISTRY_*) propagate unchanged.
 */
export function verifyAuthority(
  target: VerifyTarget,
  authority: CompiledAuthority,
  ctx: VerifyContext,
  verifiers: ConfiguredVerifiers = {},
): Promise<Evidence> {
  switch (authority.kind) {
    case 'cosign':
      return (verifiers.cosign ?? cosignVerifier).verify(target, authority, ctx);
    case 'notaryV1':
      return notaryV1Verifier.verify(target, authority, ctx);
    case 'notation':
      return (verifiers.notation ?? notationVerifier).verify(target, authority, ctx);
    case 'ociVault':
      return (verifiers.ociVault ?? ociVaultVerifier).verify(target, authority, ctx);
    case 'simpleSigning':
      return simpleSigningVerifier.verify(target, authority, ctx);
    default:
      return unsupported(target, authority);
  }
}

// unsupported is unreachable while every kind has a case; the `never` makes a new kind a compile error.
function unsupported(target: VerifyTarget, authority: never): Promise<Evidence> {
  const { kind, name } = authority as { kind: string; name: string };
  return Promise.reject(
    toVerifyError('VERIFY_UNSUPPORTED', target, name, `authority kind "${kind}" is not supported`),
  );
}
