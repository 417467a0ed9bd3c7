import type {
  CompiledGpgKey,
  CompiledSignedIdentity,
  CompiledSimpleSigningAuthority,
} from '../compile/compiled.types';
import type { SecretKeyRef } from '../crd/crd.types';
import type { SignedIdentity, SimpleSigningAuthority } from '../crd/simple-signing.types';
import type { FieldError } from '../errors';
import { formatReference, isNameOnlyReference, parseImageReference } from '../../reference';
import { quote } from '../crd/schema-validate';
import { isRecord } from '../../guards';
import { parseArmoredGpgKeys } from './gpg-keys';
import { MAX_KEYS_PER_AUTHORITY } from './keys';
import { normaliseServiceUrl, type ServiceUrlField } from './service-url';

/** How messages name a simpleSigning lookaside; shared with the converters that write one. */
export const LOOKASIDE_URL: ServiceUrlField = {
  label: 'lookaside URL',
  example: 'https://sigstore.example.com/sigs',
};

/**
 * A remapIdentity prefix as containers/image accepts it: a host[:port], or a host[:port] and repository path
 * components (its remapIdentityDomainRegexp / remapIdentityNameRegexp).
 */
const REMAP_PREFIX =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*$/;

/** Reads a key entry's `secretRef` (already resolved by the compiler); undefined after pushing an error. */
export type GpgKeyText = (ref: SecretKeyRef, path: string) => string | undefined;

/**
 * Compiles a `simpleSigning` authority: armored keys (inline or from Secrets) read and fingerprinted, the
 * signedIdentity parsed, the lookaside URL checked. Problems go to `errors` with their field path.
 */
export function compileSimpleSigningAuthority(
  name: string,
  spec: SimpleSigningAuthority,
  at: string,
  keyText: GpgKeyText,
  errors: FieldError[],
): CompiledSimpleSigningAuthority {
  const keys: CompiledGpgKey[] = [];
  const binaries: Buffer[] = [];
  spec.keys.forEach((entry, i) => {
    const path = `${at}.keys[${i}]`;
    const text = entry.data ?? (entry.secretRef ? keyText(entry.secretRef, `${path}.secretRef`) : undefined);
    if (text === undefined) return;
    const parsed = parseArmoredGpgKeys(
      text,
      entry.data !== undefined ? `${path}.data` : `${path}.secretRef`,
      errors,
    );
    if (!parsed) return;
    binaries.push(parsed.binary);
    for (const key of parsed.keys) if (!keys.some((k) => k.fingerprint === key.fingerprint)) keys.push(key);
  });
  if (keys.length > MAX_KEYS_PER_AUTHORITY)
    errors.push({
      path: `${at}.keys`,
      code: 'POLICY_KEY_INVALID',
      message: `${keys.length} keys; at most ${MAX_KEYS_PER_AUTHORITY} per authority`,
    });
  return {
    kind: 'simpleSigning',
    name,
    referenceBound: true,
    keys,
    keyring: Buffer.concat(binaries),
    signedIdentity: compileSignedIdentity(spec.signedIdentity, `${at}.signedIdentity`, errors),
    lookaside: normaliseServiceUrl(spec.lookaside, `${at}.lookaside`, errors, LOOKASIDE_URL),
  };
}

/**
 * Rules the structural schema cannot check offline (its CEL rules run only in the API server): one of data or
 * secretRef per key, and the fields each signedIdentity type needs. `checkSecret` applies the namespace rules.
 */
export function validateSimpleSigning(
  spec: Record<string, unknown>,
  at: string,
  errors: FieldError[],
  checkSecret: (ref: Record<string, unknown>, path: string) => void,
): void {
  if (Array.isArray(spec.keys))
    spec.keys.forEach((key: unknown, i) => {
      if (!isRecord(key)) return;
      if ((key.data === undefined) === (key.secretRef === undefined))
        errors.push({
          path: `${at}.keys[${i}]`,
          code: key.data === undefined ? 'POLICY_FIELD_REQUIRED' : 'POLICY_FIELD_VALUE',
          message: 'set exactly one of data (armored public keys) or secretRef',
        });
      if (isRecord(key.secretRef)) checkSecret(key.secretRef, `${at}.keys[${i}].secretRef`);
    });
  validateSignedIdentity(spec.signedIdentity, `${at}.signedIdentity`, errors);
}

/** The fields each signedIdentity type needs and allows (simpleSigning and cosign authorities alike). */
export function validateSignedIdentity(identity: unknown, at: string, errors: FieldError[]): void {
  if (!isRecord(identity) || typeof identity.type !== 'string') return;
  const needs: Record<string, readonly string[]> = {
    exactReference: ['dockerReference'],
    exactRepository: ['dockerRepository'],
    remapIdentity: ['prefix', 'signedPrefix'],
  };
  const wanted = needs[identity.type] ?? [];
  for (const field of ['dockerReference', 'dockerRepository', 'prefix', 'signedPrefix']) {
    const given = identity[field] !== undefined;
    if (given === wanted.includes(field)) continue;
    errors.push({
      path: `${at}.${field}`,
      code: given ? 'POLICY_FIELD_NOT_ALLOWED' : 'POLICY_FIELD_REQUIRED',
      message: given
        ? `${field} does not apply to type ${identity.type}`
        : `type ${identity.type} needs ${field}`,
    });
  }
}

/** Parses the references a signedIdentity names, as containers/image's policy parser does (absent: the default). */
export function compileSignedIdentity(
  spec: SignedIdentity | undefined,
  at: string,
  errors: FieldError[],
): CompiledSignedIdentity {
  const bad = (field: string, value: string, why: string): void => {
    errors.push({ path: `${at}.${field}`, code: 'POLICY_FIELD_VALUE', message: `${quote(value)} ${why}` });
  };
  switch (spec?.type ?? 'matchRepoDigestOrExact') {
    case 'exactReference': {
      const text = spec?.dockerReference ?? '';
      const ref = tryParse(text);
      if (!ref || isNameOnlyReference(text))
        bad('dockerReference', text, 'is not a reference with a tag or digest');
      return { type: 'exactReference', dockerReference: ref ? formatReference(ref) : text };
    }
    case 'exactRepository': {
      const text = spec?.dockerRepository ?? '';
      const ref = tryParse(text);
      if (!ref) bad('dockerRepository', text, 'is not a repository name');
      return { type: 'exactRepository', dockerRepository: ref ? ref.name : text };
    }
    case 'remapIdentity': {
      const prefix = spec?.prefix ?? '';
      const signedPrefix = spec?.signedPrefix ?? '';
      for (const [field, value] of [
        ['prefix', prefix],
        ['signedPrefix', signedPrefix],
      ] as const)
        if (!REMAP_PREFIX.test(value))
          bad(field, value, 'is not a host[:port] or host[:port]/path prefix, e.g. "quay.io/team"');
      return { type: 'remapIdentity', prefix, signedPrefix };
    }
    case 'matchRepository':
      return { type: 'matchRepository' };
    case 'matchExact':
      return { type: 'matchExact' };
    case 'matchRepoDigestOrExact':
      return { type: 'matchRepoDigestOrExact' };
  }
}

// tryParse reads a reference written in a policy; undefined when it is not one.
function tryParse(text: string): ReturnType<typeof parseImageReference> | undefined {
  try {
    return parseImageReference(text);
  } catch {
    return undefined;
  }
}
