import type {
  CompiledAttestationRule,
  CompiledCosignAuthority,
  CompiledTrustedRoot,
} from '../../policy/compile/compiled.types';
import { toVerifyError, type VerifyErrorCode } from '../errors';
import { mostTelling } from '../kit/outcome';
import { listReasons } from '../kit/report';
import type { Evidence, VerifyContext, VerifyTarget } from '../verifier.types';
import { attestationCandidates } from './attestation-sources';
import { dssePayload } from './bundle-check';
import { SignatureBudget } from './limits';
import type { SignatureRejected } from './outcome.types';
import { codeOfKind, rank, signerOf } from './report';
import type { SignerIdentity } from '../../policy/decide/decision.types';
import { checkSigner } from './sigstore-check';
import { readStatement, type Statement } from './statement';

/** A required attestation that a verified statement satisfied. */
interface Satisfied {
  readonly rule: string;
  readonly where: string;
  readonly signer: string;
  readonly identity: SignerIdentity;
}

/** A verified statement of the right type whose condition did not hold. */
interface ConditionFailure {
  readonly rule: string;
  readonly where: string;
  readonly condition: string;
  readonly why: string;
}

/**
 * Satisfies an authority with attestations: every rule needs one statement, signed by the authority's
 * signer, about exactly this digest, of the rule's predicateType, for which every CEL condition is true.
 * Nothing found for a rule is a denial (VERIFY_ATTESTATION_MISSING), never a pass (CVE-2022-35930).
 */
export async function verifyAttestations(
  target: VerifyTarget,
  authority: CompiledCosignAuthority,
  root: CompiledTrustedRoot,
  ctx: VerifyContext,
): Promise<Evidence> {
  const rules = authority.attestations;
  const budget = new SignatureBudget();
  const satisfied = new Map<string, Satisfied>();
  const failedConditions: ConditionFailure[] = [];
  const rejected: SignatureRejected[] = [];
  const wanted = new Set(rules.map((r) => r.predicateType));
  for await (const candidate of attestationCandidates(target, ctx, budget, wanted)) {
    const { where } = candidate;
    if ('unreadable' in candidate) {
      rejected.push({ ok: false, where, kind: 'payload', reason: candidate.unreadable, keyVerified: false });
      continue;
    }
    const signer = checkSigner(candidate.bundle, undefined, authority, root, candidate.timestamped);
    if (!signer.ok) {
      rejected.push({ ok: false, where, kind: signer.kind, reason: signer.reason, keyVerified: false });
      continue;
    }
    const read = readStatement(dssePayload(candidate.bundle), target.digest);
    if (!read.ok) {
      rejected.push({ ok: false, where, kind: read.kind, reason: read.reason, keyVerified: true });
      continue;
    }
    for (const rule of rules) {
      if (satisfied.has(rule.name) || rule.predicateType !== read.statement.predicateType) continue;
      const failure = firstFailure(rule, read.statement);
      if (failure === undefined)
        satisfied.set(rule.name, {
          rule: rule.name,
          where,
          signer: signer.signer,
          identity: signer.identity,
        });
      else failedConditions.push({ rule: rule.name, where, ...failure });
    }
    ctx.logger.debug(
      {
        digest: target.digest,
        authority: authority.name,
        attestation: where,
        predicateType: read.statement.predicateType,
      },
      'cosign attestation verified',
    );
    if (satisfied.size === rules.length) break;
  }
  const missing = rules.filter((r) => !satisfied.has(r.name));
  if (missing.length === 0) return evidence(authority, [...satisfied.values()]);
  throw failure(target, authority, missing, failedConditions, rejected, budget.exhausted);
}

// firstFailure evaluates the rule's conditions in order; an evaluation error counts as false (fail closed).
function firstFailure(
  rule: CompiledAttestationRule,
  statement: Statement,
): { condition: string; why: string } | undefined {
  for (const condition of rule.conditions) {
    const result = condition.evaluate({
      predicateType: statement.predicateType,
      predicate: statement.predicate,
    });
    if (result === true) continue;
    return {
      condition: condition.source,
      why: result === false ? 'is false' : `could not be evaluated: ${result.error}`,
    };
  }
  return undefined;
}

// evidence names each attestation that satisfied a rule, and its signer.
function evidence(authority: CompiledCosignAuthority, satisfied: readonly Satisfied[]): Evidence {
  const parts = satisfied.map((s) => `${s.rule} (${s.where}, signed by ${s.signer})`);
  const signer = satisfied[0]?.identity;
  return {
    scheme: 'cosign',
    authority: authority.name,
    summary: `cosign attestations ${parts.join('; ')}`,
    ...(signer === undefined ? {} : { signer }),
  };
}

// failure explains the first unmet rule: a false condition, else the most telling refusal, else absence.
function failure(
  target: VerifyTarget,
  authority: CompiledCosignAuthority,
  missing: readonly CompiledAttestationRule[],
  failedConditions: readonly ConditionFailure[],
  rejected: readonly SignatureRejected[],
  exhausted: boolean,
): Error {
  const names = missing.map((r) => `${r.name} (predicateType ${r.predicateType})`).join(', ');
  const conditionFailure = failedConditions.find((f) => missing.some((r) => r.name === f.rule));
  const seen = rejected.length > 0 ? ` Other attestations found: ${listReasons(rejected)}.` : '';
  const details = { attestations: missing.map((r) => r.name).join(','), signer: signerOf(authority) };
  if (conditionFailure !== undefined) {
    const text =
      `attestation ${conditionFailure.rule} (${conditionFailure.where}) was verified, but its condition ` +
      `\`${conditionFailure.condition}\` ${conditionFailure.why}.${seen}`;
    return toVerifyError('VERIFY_CONDITION_FAILED', target, authority.name, text, details);
  }
  const worst = mostTelling(rejected, rank);
  const code: VerifyErrorCode =
    worst !== undefined && worst.kind !== 'payload' ? codeOfKind(worst.kind) : 'VERIFY_ATTESTATION_MISSING';
  const limit = exhausted ? ' The attestation budget ran out before every attestation was examined.' : '';
  const text =
    `no attestation ${names} signed by ${signerOf(authority)} for ${target.digest}.${seen}${limit} ` +
    `Attest the image: cosign attest --type <predicateType> --predicate <file> ${target.ref.name}@${target.digest}`;
  return toVerifyError(code, target, authority.name, text, details);
}
