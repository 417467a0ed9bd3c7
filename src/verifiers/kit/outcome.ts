/**
 * What examining one signature found, the shape every verifier shares. Each scheme extends these with its own
 * facts (the key that verified, the kind or Notation check that refused) in its own `outcome` types.
 */

/** A signature that satisfied the authority. `where` names it for messages (`bundle sha256:ab12…`). */
export interface Accepted {
  readonly ok: true;
  readonly where: string;
  /** Failed checks the authority only logs; they become admission warnings. */
  readonly warnings?: readonly string[];
}

/** A signature that did not count, and why, in words for the failure message. */
export interface Rejected {
  readonly ok: false;
  readonly where: string;
  readonly reason: string;
}

export type Outcome = Accepted | Rejected;

// A failure reports the refusal that tells the user most; the scheme says which that is, the kit picks it.
export function mostTelling<R extends Rejected>(
  rejected: readonly R[],
  rank: (r: R) => number,
): R | undefined {
  return [...rejected].sort((a, b) => rank(b) - rank(a))[0];
}
