// Test helper: builds Notation JWS and COSE envelopes with a real key, so each header rule can be broken alone.
import { sign, type KeyObject } from 'node:crypto';
import { Encoder, Tag } from 'cbor-x';

export interface EnvelopeSpec {
  readonly key: KeyObject;
  readonly chain: readonly Buffer[];
  readonly target: { mediaType: string; digest: string; size: number };
  /** Protected headers by name (COSE: alg/crit/cty become labels 1/2/3); `undefined` deletes one. */
  readonly headers?: Record<string, unknown>;
  readonly alg?: 'ES256' | 'ES384' | 'PS256';
}

const COSE_ALG: Record<string, number> = { ES256: -7, ES384: -35, PS256: -37 };
const encoder = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false });

// protectedHeaders merges the defaults of a valid notary.x509 signature with the overrides.
function protectedHeaders(spec: EnvelopeSpec, times: 'string' | 'date'): Map<string, unknown> {
  const signingTime = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const expiry = new Date(signingTime.getTime() + 3_600_000);
  const t = (d: Date): unknown => (times === 'string' ? d.toISOString() : d);
  const h = new Map<string, unknown>([
    ['alg', spec.alg ?? 'ES256'],
    ['crit', ['io.cncf.notary.signingScheme', 'io.cncf.notary.expiry']],
    ['cty', 'application/vnd.cncf.notary.payload.v1+json'],
    ['io.cncf.notary.signingScheme', 'notary.x509'],
    ['io.cncf.notary.signingTime', t(signingTime)],
    ['io.cncf.notary.expiry', t(expiry)],
  ]);
  for (const [k, v] of Object.entries(spec.headers ?? {})) {
    if (v === undefined) h.delete(k);
    else h.set(k, v instanceof Date ? t(v) : v);
  }
  return h;
}

// signBytes signs like Notation: ECDSA r‖s, or RSASSA-PSS with a digest-length salt.
function signBytes(spec: EnvelopeSpec, data: Buffer): Buffer {
  const alg = spec.alg ?? 'ES256';
  const hash = alg === 'ES384' ? 'sha384' : 'sha256';
  if (alg.startsWith('PS')) return sign(hash, data, { key: spec.key, padding: 6, saltLength: 32 });
  return sign(hash, data, { key: spec.key, dsaEncoding: 'ieee-p1363' });
}

/** A flattened JWS envelope. */
export function buildJws(spec: EnvelopeSpec, unprotected: Record<string, unknown> = {}): Buffer {
  const prot = Buffer.from(JSON.stringify(Object.fromEntries(protectedHeaders(spec, 'string')))).toString(
    'base64url',
  );
  const payload = Buffer.from(JSON.stringify({ targetArtifact: spec.target })).toString('base64url');
  const signature = signBytes(spec, Buffer.from(`${prot}.${payload}`)).toString('base64url');
  const header = { x5c: spec.chain.map((c) => c.toString('base64')), ...unprotected };
  return Buffer.from(JSON.stringify({ payload, protected: prot, header, signature }));
}

/** A tagged COSE_Sign1 envelope. */
export function buildCose(spec: EnvelopeSpec): Buffer {
  const named = protectedHeaders(spec, 'date');
  const labels = new Map<unknown, unknown>();
  for (const [k, v] of named) {
    if (k === 'alg') labels.set(1, typeof v === 'string' ? COSE_ALG[v] : v);
    else if (k === 'crit') labels.set(2, v);
    else if (k === 'cty') labels.set(3, v);
    else labels.set(k, v);
  }
  const prot = Buffer.from(encoder.encode(labels));
  const payload = Buffer.from(JSON.stringify({ targetArtifact: spec.target }));
  const sigStructure = Buffer.from(encoder.encode(['Signature1', prot, Buffer.alloc(0), payload]));
  const signature = signBytes(spec, sigStructure);
  const unprotected = new Map<unknown, unknown>([
    [33, spec.chain.length === 1 ? spec.chain[0] : [...spec.chain]],
  ]);
  return Buffer.from(encoder.encode(new Tag([prot, unprotected, payload, signature], 18)));
}
