import { createHash } from 'node:crypto';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { isRecord } from '../../guards';
import type { CompiledTrustedRoot } from '../compile/compiled.types';
import { MAX_TRUSTED_ROOT_LENGTH } from '../crd/schema';

/** Media types of a sigstore TrustedRoot document that we read (v0.1 in both spellings, v0.2). */
export const TRUSTED_ROOT_MEDIA_TYPES = [
  'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  'application/vnd.dev.sigstore.trustedroot.v0.1+json',
  'application/vnd.dev.sigstore.trustedroot.v0.2+json',
] as const;

/**
 * Parses and checks a sigstore TrustedRoot (JSON text from a policy, a ConfigMap or TUF). Returns the
 * reason it cannot be used, as one line, instead of throwing. Beyond the protobuf shape it demands what
 * verification relies on: a validity start on every log and authority (a root without one would trust
 * that key for all time; @sigstore/verify accepts it), and at least one CA or log to trust.
 */
export function parseTrustedRoot(text: string, source: string): CompiledTrustedRoot | string {
  if (text.length > MAX_TRUSTED_ROOT_LENGTH) {
    return `the trusted root is ${text.length} characters, over the ${MAX_TRUSTED_ROOT_LENGTH}-character limit`;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'the trusted root is not JSON';
  }
  if (!isRecord(json)) return 'the trusted root is not a JSON object';
  const mediaType = json['mediaType'];
  if (typeof mediaType !== 'string' || !(TRUSTED_ROOT_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
    return `mediaType ${JSON.stringify(mediaType ?? null)} is not a sigstore trusted root (expected ${TRUSTED_ROOT_MEDIA_TYPES[2]})`;
  }
  let root: TrustedRoot;
  try {
    root = TrustedRoot.fromJSON(json);
  } catch (e) {
    return `the trusted root does not parse: ${e instanceof Error ? e.message : String(e)}`;
  }
  const problem = missingValidity(root) ?? emptiness(root);
  if (problem !== undefined) return problem;
  const id = `sha256:${createHash('sha256').update(text).digest('hex')}`;
  return { id, source, root };
}

// missingValidity names the first log or authority whose validity has no start.
function missingValidity(root: TrustedRoot): string | undefined {
  const logs: [string, TrustedRoot['tlogs']][] = [
    ['tlogs', root.tlogs],
    ['ctlogs', root.ctlogs],
  ];
  for (const [field, list] of logs) {
    for (const [i, log] of list.entries()) {
      if (log.publicKey?.rawBytes === undefined || log.publicKey.rawBytes.length === 0) {
        return `${field}[${i}] (${log.baseUrl}) has no public key`;
      }
      if (log.publicKey.validFor?.start === undefined) {
        return `${field}[${i}] (${log.baseUrl}) has no validFor.start: a key without a start would be trusted for all time`;
      }
    }
  }
  const authorities: [string, TrustedRoot['certificateAuthorities']][] = [
    ['certificateAuthorities', root.certificateAuthorities],
    ['timestampAuthorities', root.timestampAuthorities],
  ];
  for (const [field, list] of authorities) {
    for (const [i, ca] of list.entries()) {
      if ((ca.certChain?.certificates.length ?? 0) === 0)
        return `${field}[${i}] (${ca.uri}) has no certificates`;
      if (ca.validFor?.start === undefined) {
        return `${field}[${i}] (${ca.uri}) has no validFor.start: a CA without a start would be trusted for all time`;
      }
    }
  }
  return undefined;
}

// emptiness refuses a root that can verify nothing, which is always a mistake in the policy.
function emptiness(root: TrustedRoot): string | undefined {
  if (root.certificateAuthorities.length === 0 && root.tlogs.length === 0) {
    return 'the trusted root has no certificateAuthorities and no tlogs: it can verify nothing';
  }
  return undefined;
}
