import { isRecord } from '../guards';
import type { AuthorityOutcome } from '../policy/decide/decision.types';
import { NEGATIVE_VERDICT_TTL_MS, VERDICT_TTL_MS } from './limits';
import type { SharedKind, SharedStore } from './shared-store';

type Outcome = AuthorityOutcome;
type Failure = Extract<AuthorityOutcome, { ok: false }>;

const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const MAX_SHARED_TEXT = 4096;

/**
 * Verifies once cluster-wide: a verdict or a (short-lived) failure another replica stored is used as is;
 * otherwise one replica runs `verify` under the store's single-flight while the others wait for its result.
 * When the store is down or slow, `verify` runs here. `key` must name digest, policy generation, authority
 * and credentials.
 */
export async function sharedVerify(
  shared: SharedStore,
  key: string,
  authority: string,
  bounds: { deadline: number; signal?: AbortSignal },
  verify: () => Promise<Outcome>,
): Promise<{ outcome: Outcome; source: 'ran' | 'shared' | 'local' }> {
  // Both reads are sent at once: on one connection they share a round trip (the protocol pipelines them).
  const [verdict, negative] = await Promise.all([
    shared.get('verdict', key, bounds),
    shared.get('negative', key, bounds),
  ]);
  const stored = decode(authority, 'verdict', verdict) ?? decode(authority, 'negative', negative);
  if (stored !== undefined) return { outcome: stored, source: 'shared' };
  let own: Outcome | undefined;
  const result = await shared.singleFlight(
    key,
    bounds.deadline,
    async () => {
      own = await verify();
      return own.ok
        ? { kind: 'verdict', value: encode(own), ttlMs: VERDICT_TTL_MS }
        : { kind: 'negative', value: encode(own), ttlMs: NEGATIVE_VERDICT_TTL_MS };
    },
    bounds.signal,
  );
  if (own !== undefined) return { outcome: own, source: result.source };
  const theirs = decode(authority, result.kind, result.value);
  // A stored result that does not parse is ignored: this replica verifies for itself.
  return theirs === undefined
    ? { outcome: await verify(), source: 'local' }
    : { outcome: theirs, source: 'shared' };
}

// encode writes the part of an outcome another replica may reuse (never evidence beyond the summary).
function encode(outcome: Outcome): string {
  return JSON.stringify(
    outcome.ok
      ? { summary: outcome.summary, warnings: outcome.warnings }
      : { code: outcome.code, reason: outcome.reason },
  );
}

// decode reads a stored outcome as untrusted JSON; anything unexpected is a miss.
function decode(authority: string, kind: SharedKind, text: string | undefined): Outcome | undefined {
  if (kind === 'resolution' || text === undefined || text.length > 4 * MAX_SHARED_TEXT) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  if (kind === 'verdict') {
    const { summary, warnings } = value;
    if (!isText(summary) || !Array.isArray(warnings) || !warnings.every(isText)) return undefined;
    return { authority, ok: true, summary, warnings };
  }
  const { code, reason } = value;
  if (typeof code !== 'string' || !CODE.test(code) || !isText(reason)) return undefined;
  const failure: Failure = { authority, ok: false, code, reason };
  return failure;
}

// isText: a bounded string.
function isText(v: unknown): v is string {
  return typeof v === 'string' && v.length <= MAX_SHARED_TEXT;
}
