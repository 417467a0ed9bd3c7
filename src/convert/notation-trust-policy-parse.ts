// Reads a Notation trust policy (`trustpolicy.json`, version 1.0) with the rules notation-go applies, so that
// `policy from-notation` refuses what Notation would refuse. Every problem is collected with its JSON path.
import { parseTrustedIdentity } from '../policy/authorities/notation';
import type {
  NotationCheckAction,
  NotationOverridableCheck,
  NotationStoreRef,
  NotationStoreType,
  NotationTrustPolicyDocument,
  NotationTrustPolicyLevel,
  NotationTrustPolicyStatement,
} from './notation-trust-policy.types';
import type { NotationVerifyTimestamp } from '../policy/crd/crd.types';
import { formatFieldErrors, PolicyError, type FieldError } from '../policy/errors';
import { isRecord } from '../guards';

/** Largest trust policy file we read. */
export const MAX_NOTATION_TRUST_POLICY_BYTES = 1024 * 1024;
/** Most statements in `trustPolicies`. */
export const MAX_NOTATION_TRUST_POLICIES = 128;
/** The only trust policy version there is. */
export const NOTATION_TRUST_POLICY_VERSION = '1.0';
/** Notation's global registry scope. */
export const GLOBAL_SCOPE = '*';

const LEVELS: readonly NotationTrustPolicyLevel[] = ['strict', 'permissive', 'audit', 'skip'];
const STORE_TYPES: readonly NotationStoreType[] = ['ca', 'signingAuthority', 'tsa'];
const TIMESTAMP_OPTIONS: readonly NotationVerifyTimestamp[] = ['always', 'afterCertExpiry'];
/** Allowed actions per overridable check (Notary Project trust policy spec, "Custom Verification Level"). */
const OVERRIDE_ACTIONS: Readonly<Record<NotationOverridableCheck, readonly NotationCheckAction[]>> = {
  authenticity: ['enforce', 'log'],
  authenticTimestamp: ['enforce', 'log'],
  expiry: ['enforce', 'log'],
  revocation: ['enforce', 'log', 'skip'],
};
/** notation-go's rule for a named store's folder name. */
const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;
const STATEMENT_FIELDS = [
  'name',
  'registryScopes',
  'signatureVerification',
  'trustStores',
  'trustedIdentities',
];
const VERIFICATION_FIELDS = ['level', 'override', 'verifyTimestamp'];

/**
 * Parses and validates a Notation trust policy document. The text is the user's own file (not attacker data,
 * but possibly malformed). Throws PolicyError POLICY_NOTATION_INVALID listing every problem with its path, or
 * POLICY_NOTATION_UNSUPPORTED when every problem is a field Portcullis does not know.
 */
export function parseNotationTrustPolicy(text: string): NotationTrustPolicyDocument {
  const fail = (message: string): never => {
    throw new PolicyError('POLICY_NOTATION_INVALID', `Notation trust policy: ${message}`);
  };
  if (Buffer.byteLength(text, 'utf8') > MAX_NOTATION_TRUST_POLICY_BYTES)
    fail(`larger than ${MAX_NOTATION_TRUST_POLICY_BYTES} bytes`);
  let top: unknown;
  try {
    top = JSON.parse(text);
  } catch (error) {
    fail(`not valid JSON (${(error as Error).message.slice(0, 200)})`);
  }
  if (!isRecord(top)) return fail('the document is not a JSON object');
  const errors: FieldError[] = [];
  unknownFields(top, ['version', 'trustPolicies'], '', errors);
  if (top.version !== NOTATION_TRUST_POLICY_VERSION)
    push(errors, 'version', `must be "${NOTATION_TRUST_POLICY_VERSION}", not ${show(top.version)}`);
  const list = top.trustPolicies;
  if (!Array.isArray(list) || list.length === 0)
    return fail('trustPolicies must be a non-empty array of trust policy statements');
  if (list.length > MAX_NOTATION_TRUST_POLICIES)
    fail(`${list.length} trust policy statements; at most ${MAX_NOTATION_TRUST_POLICIES} are converted`);
  const statements = list.map((raw, i) => parseStatement(raw, i, errors));
  checkAcrossStatements(statements, errors);
  if (errors.length > 0) {
    const code = errors.every((e) => e.code === 'POLICY_FIELD_UNKNOWN')
      ? 'POLICY_NOTATION_UNSUPPORTED'
      : 'POLICY_NOTATION_INVALID';
    throw new PolicyError(code, `Notation trust policy is not usable:\n${formatFieldErrors(errors)}`, {
      fieldErrors: errors,
    });
  }
  return { statements };
}

/** The distinct trust stores the document names, each with the first statement that names it. */
export function notationStoreRefs(
  doc: NotationTrustPolicyDocument,
): (NotationStoreRef & { readonly statement: string })[] {
  const seen = new Map<string, NotationStoreRef & { readonly statement: string }>();
  for (const s of doc.statements)
    for (const ref of s.trustStores) {
      const key = `${ref.type}:${ref.name}`;
      if (!seen.has(key)) seen.set(key, { ...ref, statement: s.name });
    }
  return [...seen.values()];
}

// parseStatement validates one trustPolicies[i]; problems go to `errors`, the result is then unused.
function parseStatement(raw: unknown, i: number, errors: FieldError[]): NotationTrustPolicyStatement {
  const at = `trustPolicies[${i}]`;
  const empty = { name: '', index: i, registryScopes: [], level: 'strict', override: {} } as const;
  if (!isRecord(raw)) {
    push(errors, at, 'must be an object');
    return { ...empty, trustStores: [], trustedIdentities: [] };
  }
  unknownFields(raw, STATEMENT_FIELDS, `${at}.`, errors);
  const name = typeof raw.name === 'string' ? raw.name.trim() : '';
  if (name === '') push(errors, `${at}.name`, 'a trust policy statement needs a non-empty name');
  const where = name === '' ? at : `${at} ("${name.slice(0, 80)}")`;
  const registryScopes = stringList(raw.registryScopes, `${where}.registryScopes`, errors);
  if (registryScopes.includes(GLOBAL_SCOPE) && registryScopes.length > 1)
    push(errors, `${where}.registryScopes`, '"*" (global scope) must be the only scope of its statement');
  const verification = raw.signatureVerification;
  if (!isRecord(verification)) {
    push(errors, `${where}.signatureVerification`, 'must be an object with a "level"');
    return { ...empty, name, registryScopes, trustStores: [], trustedIdentities: [] };
  }
  unknownFields(verification, VERIFICATION_FIELDS, `${where}.signatureVerification.`, errors);
  const level = oneOf(verification.level, LEVELS, `${where}.signatureVerification.level`, errors) ?? 'strict';
  const override = parseOverride(verification.override, `${where}.signatureVerification.override`, errors);
  if (level === 'skip' && Object.keys(override).length > 0)
    push(errors, `${where}.signatureVerification.override`, 'a skip level cannot be customized');
  const verifyTimestamp =
    verification.verifyTimestamp === undefined
      ? undefined
      : oneOf(
          verification.verifyTimestamp,
          TIMESTAMP_OPTIONS,
          `${where}.signatureVerification.verifyTimestamp`,
          errors,
        );
  const statement = { name, index: i, registryScopes, level, override };
  const extras = { ...(verifyTimestamp === undefined ? {} : { verifyTimestamp }) };
  if (level === 'skip') {
    if (registryScopes.includes(GLOBAL_SCOPE))
      push(errors, `${where}.registryScopes`, 'a skip level cannot be used with the global scope "*"');
    if (nonEmpty(raw.trustStores) || nonEmpty(raw.trustedIdentities))
      push(errors, where, 'a skip level must not configure trustStores or trustedIdentities');
    return { ...statement, ...extras, trustStores: [], trustedIdentities: [] };
  }
  const trustStores = stringList(raw.trustStores, `${where}.trustStores`, errors).flatMap((text, j) =>
    parseStoreRef(text, `${where}.trustStores[${j}]`, errors),
  );
  const trustedIdentities = stringList(raw.trustedIdentities, `${where}.trustedIdentities`, errors);
  checkIdentities(trustedIdentities, `${where}.trustedIdentities`, errors);
  return { ...statement, ...extras, trustStores: dedupeStores(trustStores), trustedIdentities };
}

// parseOverride validates the custom-level map: integrity may not be overridden, each check has its actions.
function parseOverride(
  raw: unknown,
  at: string,
  errors: FieldError[],
): Partial<Record<NotationOverridableCheck, NotationCheckAction>> {
  if (raw === undefined) return {};
  if (!isRecord(raw)) {
    push(errors, at, 'must be an object of check: action');
    return {};
  }
  const out: Partial<Record<NotationOverridableCheck, NotationCheckAction>> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'integrity') {
      push(errors, `${at}.integrity`, 'integrity validation cannot be overridden');
    } else if (Object.hasOwn(OVERRIDE_ACTIONS, key)) {
      const check = key as NotationOverridableCheck;
      const action = oneOf(value, OVERRIDE_ACTIONS[check], `${at}.${check}`, errors);
      if (action !== undefined) out[check] = action;
    } else {
      push(errors, `${at}.${key}`, `unknown check; expected ${Object.keys(OVERRIDE_ACTIONS).join(', ')}`);
    }
  }
  return out;
}

// parseStoreRef splits `<type>:<name>` and checks both halves as notation-go does.
function parseStoreRef(text: string, at: string, errors: FieldError[]): NotationStoreRef[] {
  const colon = text.indexOf(':');
  const type = text.slice(0, colon);
  const name = text.slice(colon + 1);
  if (colon < 0 || !STORE_TYPES.includes(type as NotationStoreType)) {
    push(errors, at, `${show(text)} must be <type>:<name> with type ${STORE_TYPES.join(', ')}`);
    return [];
  }
  if (!STORE_NAME.test(name)) {
    push(errors, at, `trust store name ${show(name)} may only hold letters, digits, "_", "." and "-"`);
    return [];
  }
  return [{ type: type as NotationStoreType, name }];
}

// checkIdentities accepts `*` alone or `x509.subject:` names with C, ST and O (the compiler's own parser).
function checkIdentities(list: readonly string[], at: string, errors: FieldError[]): void {
  if (list.includes('*')) {
    if (list.length > 1) push(errors, at, '"*" must be the only trusted identity when it is used');
    return;
  }
  list.forEach((text, j) => {
    const parsed = parseTrustedIdentity(text);
    if (typeof parsed === 'string') push(errors, `${at}[${j}]`, parsed);
  });
}

// checkAcrossStatements applies the document-wide rules: unique names, one global scope, a scope in one statement.
function checkAcrossStatements(
  statements: readonly NotationTrustPolicyStatement[],
  errors: FieldError[],
): void {
  const names = new Map<string, number>();
  const scopes = new Map<string, string>();
  for (const s of statements) {
    if (s.name !== '') {
      const first = names.get(s.name);
      if (first !== undefined)
        push(
          errors,
          `trustPolicies[${s.index}].name`,
          `"${s.name}" is also the name of trustPolicies[${first}]`,
        );
      else names.set(s.name, s.index);
    }
    for (const scope of s.registryScopes) {
      const owner = scopes.get(scope);
      if (owner !== undefined) {
        const why =
          scope === GLOBAL_SCOPE
            ? 'only one statement may use the global scope'
            : 'a repository may be in only one statement';
        push(
          errors,
          `trustPolicies[${s.index}].registryScopes`,
          `${show(scope)} is also a scope of "${owner}": ${why}`,
        );
      } else scopes.set(scope, s.name);
    }
  }
}

// dedupeStores drops repeated `<type>:<name>` entries.
function dedupeStores(refs: readonly NotationStoreRef[]): NotationStoreRef[] {
  const keys = new Set<string>();
  return refs.filter((r) => !keys.has(`${r.type}:${r.name}`) && keys.add(`${r.type}:${r.name}`));
}

// stringList reads a required non-empty array of non-empty strings.
function stringList(raw: unknown, at: string, errors: FieldError[]): string[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    push(errors, at, 'must be a non-empty array of strings');
    return [];
  }
  return raw.flatMap((v, j) => {
    if (typeof v === 'string' && v.trim() !== '') return [v.trim()];
    push(errors, `${at}[${j}]`, `must be a non-empty string, not ${show(v)}`);
    return [];
  });
}

// oneOf checks an enumerated string value.
function oneOf<T extends string>(
  raw: unknown,
  allowed: readonly T[],
  at: string,
  errors: FieldError[],
): T | undefined {
  if (typeof raw === 'string' && (allowed as readonly string[]).includes(raw)) return raw as T;
  push(errors, at, `must be ${allowed.join(', ')}, not ${show(raw)}`);
  return undefined;
}

// unknownFields refuses fields Portcullis does not understand: ignoring one could change what is trusted.
function unknownFields(
  obj: Record<string, unknown>,
  known: readonly string[],
  at: string,
  errors: FieldError[],
): void {
  for (const key of Object.keys(obj))
    if (!known.includes(key))
      errors.push({
        path: `${at}${key}`,
        code: 'POLICY_FIELD_UNKNOWN',
        message: `Portcullis does not know this field, so it cannot convert it faithfully; remove it if it does not matter`,
      });
}

// push records one invalid field.
function push(errors: FieldError[], path: string, message: string): void {
  errors.push({ path, code: 'POLICY_NOTATION_INVALID', message });
}

// nonEmpty says whether an optional list field holds anything.
function nonEmpty(v: unknown): boolean {
  return v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
}

// show quotes a value for a message, bounded.
function show(v: unknown): string {
  return v === undefined ? 'missing' : JSON.stringify(v).slice(0, 80);
}
