import type {
  CompiledAttestationRule,
  CompiledCondition,
  CompiledCosignAuthority,
  CompiledIdentity,
  CompiledKeyless,
  CompiledPublicKey,
  FulcioExtensionName,
  StringMatcher,
  TrustedRootRef,
} from '../compile/compiled.types';
import { FULCIO_EXTENSION_NAMES } from '../compile/compiled.types';
import type { CosignAuthority, CosignKeyless, FulcioExtensions, KeylessIdentity } from '../crd/crd.types';
import { isPolicyError, type FieldError } from '../errors';
import { compileCondition } from './cel';
import { parsePublicKeys } from './keys';
import { compileSignedIdentity } from './simple-signing';

/** The I/O a cosign authority needs at compile time, handed in by the compiler (Secrets, ConfigMaps). */
export interface CosignCompileIo {
  /** The PEM text of `cosign.key.secretRef` and where it came from, or undefined after recording why. */
  readonly keyText: (path: string) => { readonly text: string; readonly context: string } | undefined;
  /** What `keyless.trustedRoot` names, or undefined after recording why in `errors`. */
  readonly trustedRoot: (
    ref: CosignKeyless['trustedRoot'],
    path: string,
    errors: FieldError[],
  ) => TrustedRootRef | undefined;
}

/**
 * Compiles a validated cosign authority once: keys, keyless identities (regular expressions anchored),
 * the TrustedRoot, tlog rules, CEL conditions and signedIdentity. Every problem becomes a field error in `errors`.
 */
export function compileCosignAuthority(
  name: string,
  cosign: CosignAuthority,
  at: string,
  io: CosignCompileIo,
  errors: FieldError[],
): CompiledCosignAuthority {
  const keys = cosign.key ? compileKeys(cosign.key, `${at}.key`, io, errors) : [];
  const keyless = cosign.keyless ? compileKeyless(cosign.keyless, `${at}.keyless`, io, errors) : undefined;
  const rekorKeys = (cosign.tlog?.rekorKeys ?? []).flatMap((pem, i) =>
    collect(errors, () => parsePublicKeys(pem, `${at}.tlog.rekorKeys[${i}]`)),
  );
  const attestations = (cosign.attestations ?? []).map((a, i): CompiledAttestationRule => ({
    name: a.name,
    predicateType: a.predicateType,
    conditions: (a.conditions ?? []).flatMap((source, j) =>
      condition(source, `${at}.attestations[${i}].conditions[${j}]`, errors),
    ),
  }));
  return {
    kind: 'cosign',
    name,
    referenceBound: cosign.signedIdentity !== undefined,
    keys,
    ...(keyless ? { keyless } : {}),
    // Keyless certificates live for minutes: without a log (or a timestamp) their time cannot be trusted.
    tlog: { required: cosign.tlog?.required ?? cosign.keyless !== undefined, rekorKeys },
    attestations,
    ...(cosign.signedIdentity
      ? { signedIdentity: compileSignedIdentity(cosign.signedIdentity, `${at}.signedIdentity`, errors) }
      : {}),
  };
}

// compileKeys parses inline PEM or the Secret's text.
function compileKeys(
  key: NonNullable<CosignAuthority['key']>,
  at: string,
  io: CosignCompileIo,
  errors: FieldError[],
): CompiledPublicKey[] {
  if (key.data !== undefined) return collect(errors, () => parsePublicKeys(key.data ?? '', `${at}.data`));
  const path = `${at}.secretRef`;
  const found = io.keyText(path);
  return found === undefined ? [] : collect(errors, () => parsePublicKeys(found.text, path, found.context));
}

// compileKeyless builds one matcher set per identity and resolves the TrustedRoot.
function compileKeyless(
  keyless: CosignKeyless,
  at: string,
  io: CosignCompileIo,
  errors: FieldError[],
): CompiledKeyless | undefined {
  const identities = keyless.identities.map((identity, i) =>
    compileIdentity(identity, `${at}.identities[${i}]`, errors),
  );
  const trustedRoot = io.trustedRoot(keyless.trustedRoot, `${at}.trustedRoot`, errors);
  return trustedRoot === undefined ? undefined : { identities, trustedRoot };
}

// compileIdentity turns issuer, subject and extension fields into matchers.
function compileIdentity(identity: KeylessIdentity, at: string, errors: FieldError[]): CompiledIdentity {
  const issuer = matcher(identity.issuer, identity.issuerRegExp, `${at}.issuer`, errors);
  const subject = matcher(identity.subject, identity.subjectRegExp, `${at}.subject`, errors);
  const extensions = FULCIO_EXTENSION_NAMES.flatMap((name) => {
    const exact = identity.extensions?.[name];
    const pattern = identity.extensionsRegExp?.[name];
    if (exact !== undefined && pattern !== undefined) {
      errors.push({
        path: `${at}.extensions.${name}`,
        code: 'POLICY_FIELD_VALUE',
        message: `set ${name} in either extensions or extensionsRegExp, not both`,
      });
      return [];
    }
    const match = matcher(
      exact,
      pattern,
      `${at}.extensions${exact === undefined ? 'RegExp' : ''}.${name}`,
      errors,
    );
    return match ? [{ name, match }] : [];
  });
  return {
    text: describeIdentity(identity),
    ...(issuer ? { issuer } : {}),
    ...(subject ? { subject } : {}),
    extensions,
  };
}

/** Prefix of a pattern's anchoring, so that `acme` never matches `acme-evil` (see docs/cosign.md). */
const ANCHOR_START = '^(?:';
const ANCHOR_END = ')$';

// matcher compiles an exact value or a pattern, anchored at both ends.
function matcher(
  exact: string | undefined,
  pattern: string | undefined,
  path: string,
  errors: FieldError[],
): StringMatcher | undefined {
  if (exact !== undefined) return { text: JSON.stringify(exact), test: (v) => v === exact };
  if (pattern === undefined) return undefined;
  let re: RegExp;
  try {
    re = new RegExp(`${ANCHOR_START}${pattern}${ANCHOR_END}`, 'u');
  } catch (e) {
    errors.push({
      path: `${path}RegExp`,
      code: 'POLICY_FIELD_VALUE',
      message: `not a valid regular expression: ${e instanceof Error ? e.message : String(e)}`,
    });
    return undefined;
  }
  return { text: `/${re.source}/`, test: (v) => re.test(v) };
}

// describeIdentity renders the identity for messages, in the policy's own words.
export function describeIdentity(identity: KeylessIdentity): string {
  const parts: string[] = [];
  const field = (label: string, exact?: string, pattern?: string): void => {
    if (exact !== undefined) parts.push(`${label} ${JSON.stringify(exact)}`);
    else if (pattern !== undefined) parts.push(`${label} ~ /${pattern}/`);
  };
  field('issuer', identity.issuer, identity.issuerRegExp);
  field('subject', identity.subject, identity.subjectRegExp);
  for (const name of FULCIO_EXTENSION_NAMES)
    field(name, ext(identity.extensions, name), ext(identity.extensionsRegExp, name));
  return parts.join(', ');
}

// ext reads one extension field of an optional map.
function ext(map: FulcioExtensions | undefined, name: FulcioExtensionName): string | undefined {
  return map?.[name];
}

// condition compiles one CEL expression, recording its error.
function condition(source: string, path: string, errors: FieldError[]): CompiledCondition[] {
  const compiled = compileCondition(source, path);
  if ('evaluate' in compiled) return [compiled];
  errors.push(compiled);
  return [];
}

// collect runs a parser that throws PolicyError and records its field errors instead.
function collect<T>(errors: FieldError[], parse: () => T[]): T[] {
  try {
    return parse();
  } catch (error) {
    if (!isPolicyError(error)) throw error;
    errors.push(...error.fieldErrors);
    return [];
  }
}
