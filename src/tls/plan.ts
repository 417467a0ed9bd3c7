import {
  CA_ROLLOVER_BEFORE_MS,
  CA_VALIDITY_MS,
  DEFAULT_CA_OVERLAP_MS,
  SERVING_RENEW_FRACTION,
  SERVING_VALIDITY_MS,
} from './limits';
import type {
  RotationAction,
  RotationDurations,
  RotationState,
  SecretFacts,
  ServingFacts,
} from './rotation.types';

/** The durations of limits.ts, for callers that only change the overlap. */
export const DEFAULT_ROTATION_DURATIONS: RotationDurations = {
  caValidityMs: CA_VALIDITY_MS,
  caRolloverBeforeMs: CA_ROLLOVER_BEFORE_MS,
  overlapMs: DEFAULT_CA_OVERLAP_MS,
  servingValidityMs: SERVING_VALIDITY_MS,
  servingRenewFraction: SERVING_RENEW_FRACTION,
};

// iso prints an instant for reasons in logs.
function iso(ms: number): string {
  return new Date(ms).toISOString();
}

// unusable says why the Secret's CA cannot sign anything any more, or undefined when it can.
function unusable(now: number, secret: SecretFacts | undefined): string | undefined {
  if (secret === undefined || secret.cas.length === 0) return 'the Secret holds no usable CA';
  const signer = secret.cas[0];
  if (!secret.signerKeyMatches) return 'ca.key is not the key of the first certificate in ca.crt';
  if (signer !== undefined && now >= signer.notAfter) return `the CA expired at ${iso(signer.notAfter)}`;
  return undefined;
}

// servingProblem says why the serving certificate must be replaced now, or undefined when it may stay.
function servingProblem(
  now: number,
  secret: SecretFacts,
  rolloverIncoming: boolean,
  d: RotationDurations,
): string | undefined {
  const s: ServingFacts | undefined = secret.serving;
  if (s === undefined) return 'no serving certificate in the Secret';
  if (!s.keyMatches) return 'tls.key does not match tls.crt';
  if (!s.namesOk) return 'the serving certificate does not name every webhook DNS name';
  if (s.issuerId === undefined) return 'the serving certificate chains to no CA in the bundle';
  if (now >= s.notAfter) return `the serving certificate expired at ${iso(s.notAfter)}`;
  const renewAt = s.notBefore + (s.notAfter - s.notBefore) * d.servingRenewFraction;
  if (now >= renewAt) return `the serving certificate passed its renewal point ${iso(renewAt)}`;
  // Outside an incoming rollover, only the signer may have issued it: any other CA is on its way out.
  if (!rolloverIncoming && s.issuerId !== secret.cas[0]?.id)
    return 'the serving certificate is not from the signing CA, which is about to be the only one trusted';
  return undefined;
}

/**
 * The next step of the self-managed TLS rotation, as a pure function of the clock and what the Secret and
 * the webhook configurations hold. Invariants: the bundle published in every webhook always holds the CA
 * that signed the serving certificate; a new CA signs nothing until it has been published for `overlapMs`;
 * an old CA leaves the bundle only `overlapMs` after the serving certificate moved off it.
 */
export function planRotation(
  now: number,
  state: RotationState,
  durations: RotationDurations = DEFAULT_ROTATION_DURATIONS,
): RotationAction {
  const broken = unusable(now, state.secret);
  if (broken !== undefined || state.secret === undefined) {
    return { kind: 'reissue-all', reason: broken ?? 'the Secret holds no usable CA' };
  }
  const secret = state.secret;
  if (!state.published) {
    return { kind: 'publish-bundle', reason: 'a webhook caBundle differs from the Secret’s ca.crt' };
  }
  if (secret.bundlePublishedAt === undefined) {
    return { kind: 'record-published', reason: 'every webhook trusts the Secret’s ca.crt' };
  }
  const signer = secret.cas[0] as SecretFacts['cas'][number];
  const incoming = secret.cas.length === 2 && secret.incomingKeyMatches ? secret.cas[1] : undefined;
  const servingIssue = servingProblem(now, secret, incoming !== undefined, durations);
  if (servingIssue !== undefined) return { kind: 'renew-serving', reason: servingIssue };
  if (secret.cas.length === 1) {
    const startAt = signer.notAfter - durations.caRolloverBeforeMs;
    return now >= startAt
      ? { kind: 'start-rollover', reason: `the CA expires at ${iso(signer.notAfter)}` }
      : { kind: 'keep', reason: `CA rollover due at ${iso(startAt)}` };
  }
  if (incoming !== undefined) {
    const finishAt = secret.bundlePublishedAt + durations.overlapMs;
    return now >= finishAt
      ? {
          kind: 'finish-rollover',
          reason: `the new CA has been trusted since ${iso(secret.bundlePublishedAt)}`,
        }
      : { kind: 'keep', reason: `serving certificate moves to the new CA at ${iso(finishAt)}` };
  }
  // Outgoing: the serving certificate is the signer's (servingProblem checked); the others may go.
  const movedAt = secret.servingIssuedAt ?? secret.serving?.notBefore ?? now;
  const dropAt = Math.min(movedAt + durations.overlapMs, ...secret.cas.slice(1).map((ca) => ca.notAfter));
  return now >= dropAt
    ? { kind: 'drop-old-ca', reason: `the serving certificate moved to the new CA at ${iso(movedAt)}` }
    : { kind: 'keep', reason: `the old CA leaves caBundle at ${iso(dropAt)}` };
}
