import { X509Certificate } from 'node:crypto';
import { TlsError } from './errors';
import type { CertificateIssuer } from './issue';
import type { RotationAction, RotationDurations } from './rotation.types';
import type { TlsMaterial } from './secret-layout';

/** What a Secret-changing step needs besides the current material. */
export interface TransitionContext {
  readonly now: number;
  readonly durations: RotationDurations;
  readonly dnsNames: readonly string[];
  readonly issuer: CertificateIssuer;
}

// signer returns the first CA with its key; the planner only asks for signing when they match.
function signer(material: TlsMaterial): { cert: string; key: string } {
  const [cert] = material.cas;
  if (cert === undefined || material.signerKey === undefined) {
    throw new TlsError('TLS_SECRET_INVALID', 'the Secret has no signing CA (ca.crt and ca.key)');
  }
  return { cert, key: material.signerKey };
}

// withServing issues a serving certificate from `ca` and records when and until when.
async function withServing(
  material: TlsMaterial,
  ca: { cert: string; key: string },
  ctx: TransitionContext,
): Promise<TlsMaterial> {
  const { now, durations, dnsNames, issuer } = ctx;
  const serving = await issuer.issueServing(now, durations.servingValidityMs, ca, dnsNames);
  const notAfter = Math.min(now + durations.servingValidityMs, caNotAfter(ca.cert));
  return {
    ...material,
    cert: serving.cert,
    key: serving.key,
    servingIssuedAt: now,
    servingNotAfter: Math.floor(notAfter / 1000) * 1000,
  };
}

// caNotAfter reads a CA's expiry (the serving certificate never outlives it).
function caNotAfter(pem: string): number {
  return Date.parse(new X509Certificate(pem).validTo);
}

/**
 * The Secret's material after one planned step (for every step that writes the Secret). Pure apart from
 * generating keys through `ctx.issuer`; `publish-bundle` and `keep` write no Secret and are refused here.
 */
export async function nextMaterial(
  action: RotationAction,
  material: TlsMaterial,
  ctx: TransitionContext,
): Promise<TlsMaterial> {
  const { now, durations } = ctx;
  switch (action.kind) {
    case 'reissue-all': {
      const ca = await ctx.issuer.createCa(now, durations.caValidityMs);
      const fresh: TlsMaterial = { cas: [ca.cert], signerKey: ca.key };
      return withServing(fresh, ca, ctx);
    }
    case 'record-published':
      return { ...material, bundlePublishedAt: now };
    case 'renew-serving':
      return withServing(material, signer(material), ctx);
    case 'start-rollover': {
      const current = signer(material);
      const incoming = await ctx.issuer.createCa(now, durations.caValidityMs);
      const { bundlePublishedAt: _published, ...rest } = material;
      return { ...rest, cas: [current.cert, incoming.cert], incomingKey: incoming.key };
    }
    case 'finish-rollover': {
      const [old, next] = material.cas;
      if (old === undefined || next === undefined || material.incomingKey === undefined) {
        throw new TlsError('TLS_SECRET_INVALID', 'no incoming CA (ca-next.key) to finish the rollover with');
      }
      const { incomingKey: _incoming, ...rest } = material;
      const moved: TlsMaterial = { ...rest, cas: [next, old], signerKey: material.incomingKey };
      return withServing(moved, { cert: next, key: material.incomingKey }, ctx);
    }
    case 'drop-old-ca': {
      const current = signer(material);
      const { incomingKey: _incoming, bundlePublishedAt: _published, ...rest } = material;
      return { ...rest, cas: [current.cert] };
    }
    case 'publish-bundle':
    case 'keep':
      throw new TlsError('TLS_SECRET_INVALID', `step ${action.kind} does not change the Secret`);
    default: {
      const unreachable: never = action;
      return unreachable;
    }
  }
}
