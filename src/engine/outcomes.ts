import { describeUnknown, isPortcullisError } from '../errors';
import type { AuthorityOutcome } from '../policy/decide/decision.types';

// toFailure turns any thrown value into a failing outcome; unknown errors fail closed with a generic code.
export function toFailure(authority: string, error: unknown): AuthorityOutcome {
  if (isPortcullisError(error)) return { authority, ok: false, code: error.code, reason: error.message };
  return {
    authority,
    ok: false,
    code: 'ENGINE_INTERNAL_ERROR',
    reason: `internal error: ${describeUnknown(error)}`,
  };
}

/**
 * The reason work left over from a finished request is aborted with. One shared instance: aborting without a
 * reason builds a DOMException with a stack on every request, which showed in the warm-path profile.
 */
export const REQUEST_DONE: Error = Object.freeze(new Error('the admission request was answered'));
