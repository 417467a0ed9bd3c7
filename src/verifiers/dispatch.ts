import type { CompiledAuthority } from '../policy/compiled.types';
import { cosignVerifier } from './cosign';
import { toVerifyError } from './errors';
import type { Evidence, VerifyContext, VerifyTarget } from './verifier.types';

/**
 * Runs the verifier of `authority.kind`. Throws a VerifyError (VERIFY_*) when the authority is not
 * satisfied; registry errors (REGISTRY_*) propagate unchanged.
 */
export function verifyAuthority(
  target: VerifyTarget,
  authority: CompiledAuthority,
  ctx: VerifyContext,
): Promise<Evidence> {
  switch (authority.kind) {
    case 'cosign':
      return cosignVerifier.verify(target, authority, ctx);
    default:
      return unsupported(target, authority.kind, (authority as { name: string }).name);
  }
}

// unsupported is unreachable while every kind has a case; the `never` makes a new kind a compile error.
function unsupported(target: VerifyTarget, kind: never, name: string): Promise<Evidence> {
  return Promise.reject(
    toVerifyError('VERIFY_UNSUPPORTED', target, name, `authority kind "${String(kind)}" is not supported`),
  );
}
