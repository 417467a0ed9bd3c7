import { createPrivateKey } from 'node:crypto';
import type {
  CompiledOciVaultAuth,
  CompiledOciVaultAuthority,
  CompiledOciVaultKey,
} from '../compile/compiled.types';
import type { OciVaultAuthority, SecretRef } from '../crd/crd.types';
import { isPolicyError, type FieldError } from '../errors';
import { MAX_KEYS_PER_AUTHORITY, parsePublicKeys } from './keys';
import { quote } from '../crd/schema-validate';
import { isRecord } from '../../guards';

/** Default OCI config file for `auth: {configFile}` without a path, as the OCI CLI and SDKs use it. */
export const DEFAULT_OCI_CONFIG_FILE = '~/.oci/config';
/** Default profile of an OCI config file. */
export const DEFAULT_OCI_PROFILE = 'DEFAULT';
/** Keys read from an API-key Secret (the names OCI Service Operator uses); `passphrase` is optional. */
export const OCI_API_KEY_SECRET_KEYS = ['tenancy', 'user', 'fingerprint', 'privatekey'] as const;

/** `ocid1.key.<realm>.<region>[.<future use>].<unique id>`: the shape of a Vault master key OCID. */
const KEY_OCID = /^ocid1\.key\.[a-z0-9]+(?:\.[a-z0-9-]*){1,2}\.[A-Za-z0-9]+$/;
/** Compartment (or tenancy, the root compartment) OCID. */
const COMPARTMENT_OCID = /^ocid1\.(?:compartment|tenancy)\.[a-z0-9]+(?:\.[a-z0-9-]*){1,2}\.[A-Za-z0-9]+$/;
/** Region identifiers such as `ap-tokyo-1`, `us-gov-ashburn-1`, `me-dcc-muscat-1`. */
const REGION_ID = /^[a-z]+(?:-[a-z]+)+-[0-9]+$/;
const API_KEY_FINGERPRINT = /^[0-9a-f]{2}(?::[0-9a-f]{2}){15}$/;

type SecretLookupFn = (ref: SecretRef, path: string) => Readonly<Record<string, string>> | undefined;

/**
 * Rules on an `ociVault` authority that the structural schema cannot express: OCID and region shapes, https
 * endpoint overrides, distinct keys, and exactly one way to authenticate. `checkSecret` applies the
 * Secret-namespace rules of the calling policy kind. Every access is guarded (the spec may be malformed).
 */
export function validateOciVault(
  spec: Record<string, unknown>,
  at: string,
  errors: FieldError[],
  checkSecret: (ref: Record<string, unknown>, path: string) => void,
): void {
  const value = (path: string, message: string): void => {
    errors.push({ path, code: 'POLICY_FIELD_VALUE', message });
  };
  if (typeof spec.region === 'string' && !REGION_ID.test(spec.region))
    value(`${at}.region`, `${quote(spec.region)} is not an OCI region identifier such as "ap-tokyo-1"`);
  if (typeof spec.compartmentId === 'string' && !COMPARTMENT_OCID.test(spec.compartmentId))
    value(`${at}.compartmentId`, 'not a compartment OCID ("ocid1.compartment.oc1..…" or the tenancy OCID)');
  for (const field of ['endpoint', 'keyManagementEndpoint'] as const) {
    const url = spec[field];
    if (typeof url === 'string' && !isHttpsBaseUrl(url))
      value(`${at}.${field}`, `${quote(url)} must be an https:// URL with no credentials, query or fragment`);
  }
  validateKeys(spec.keys, `${at}.keys`, errors);
  validateAuth(spec.auth, `${at}.auth`, errors, checkSecret);
}

// validateKeys checks the key OCIDs and refuses duplicates (a duplicate is always a copy-paste mistake).
function validateKeys(keys: unknown, at: string, errors: FieldError[]): void {
  if (!Array.isArray(keys)) return;
  if (keys.length > MAX_KEYS_PER_AUTHORITY)
    errors.push({
      path: at,
      code: 'POLICY_FIELD_VALUE',
      message: `${keys.length} keys; at most ${MAX_KEYS_PER_AUTHORITY} are allowed`,
    });
  const seen = new Map<string, number>();
  keys.forEach((key: unknown, i) => {
    if (!isRecord(key) || typeof key.keyId !== 'string') return;
    const path = `${at}[${i}].keyId`;
    if (!KEY_OCID.test(key.keyId)) {
      errors.push({
        path,
        code: 'POLICY_FIELD_VALUE',
        message:
          'not a Vault key OCID ("ocid1.key.oc1.<region>.<vault>.<id>"); give the key, not its version',
      });
    }
    const first = seen.get(key.keyId);
    if (first !== undefined)
      errors.push({ path, code: 'POLICY_FIELD_VALUE', message: `the same key as ${at}[${first}]` });
    else seen.set(key.keyId, i);
  });
}

// validateAuth demands exactly one way to authenticate to the OCI APIs.
function validateAuth(
  auth: unknown,
  at: string,
  errors: FieldError[],
  checkSecret: (ref: Record<string, unknown>, path: string) => void,
): void {
  if (auth === undefined) {
    errors.push({
      path: at,
      code: 'POLICY_FIELD_REQUIRED',
      message: 'set auth: secretRef (API key), instancePrincipal: true, workloadIdentity: true or configFile',
    });
    return;
  }
  if (!isRecord(auth)) return;
  const chosen = [
    auth.secretRef !== undefined ? 'secretRef' : '',
    auth.instancePrincipal === true ? 'instancePrincipal' : '',
    auth.workloadIdentity === true ? 'workloadIdentity' : '',
    auth.configFile !== undefined ? 'configFile' : '',
  ].filter((k) => k !== '');
  if (chosen.length !== 1) {
    errors.push({
      path: at,
      code: chosen.length === 0 ? 'POLICY_FIELD_REQUIRED' : 'POLICY_FIELD_VALUE',
      message:
        chosen.length === 0
          ? 'set one of secretRef, instancePrincipal: true, workloadIdentity: true or configFile'
          : `set only one of secretRef, instancePrincipal, workloadIdentity, configFile (found ${chosen.join(' and ')})`,
    });
  }
  if (auth.profile !== undefined && auth.configFile === undefined)
    errors.push({
      path: `${at}.profile`,
      code: 'POLICY_FIELD_NOT_ALLOWED',
      message: 'profile applies only with configFile',
    });
  if (isRecord(auth.secretRef)) checkSecret(auth.secretRef, `${at}.secretRef`);
}

// isHttpsBaseUrl accepts a plain https base URL; anything else would leak or misroute signed requests.
function isHttpsBaseUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (
      url.protocol === 'https:' &&
      url.username === '' &&
      url.password === '' &&
      url.search === '' &&
      url.hash === ''
    );
  } catch {
    return false;
  }
}

/**
 * Compiles a validated `ociVault` authority: pinned public keys are parsed once (RSA ≥ 2048 only; OCIR
 * signatures are RSA-PSS), and an API-key Secret is resolved through `lookup` into the credentials the SDK
 * signs with. Problems are pushed to `errors` with their field path; never quotes key material.
 */
export function compileOciVaultAuthority(
  name: string,
  spec: OciVaultAuthority,
  at: string,
  lookup: SecretLookupFn,
  errors: FieldError[],
): CompiledOciVaultAuthority {
  const keys = spec.keys.map((key, i): CompiledOciVaultKey => {
    if (key.publicKey === undefined) return { keyId: key.keyId };
    const path = `${at}.keys[${i}].publicKey`;
    try {
      const parsed = parsePublicKeys(key.publicKey, path);
      const [first] = parsed;
      if (parsed.length !== 1 || first?.type !== 'rsa') {
        errors.push({
          path,
          code: 'POLICY_KEY_INVALID',
          message: 'give exactly one RSA public key: OCIR image signatures are RSA-PSS',
        });
        return { keyId: key.keyId };
      }
      return { keyId: key.keyId, publicKey: first };
    } catch (error) {
      if (!isPolicyError(error)) throw error;
      errors.push(...error.fieldErrors);
      return { keyId: key.keyId };
    }
  });
  return {
    kind: 'ociVault',
    name,
    referenceBound: false,
    region: spec.region,
    compartmentId: spec.compartmentId,
    ...(spec.endpoint !== undefined ? { endpoint: spec.endpoint.replace(/\/+$/, '') } : {}),
    ...(spec.keyManagementEndpoint !== undefined
      ? { keyManagementEndpoint: spec.keyManagementEndpoint.replace(/\/+$/, '') }
      : {}),
    keys,
    auth: compileAuth(spec, `${at}.auth`, lookup, errors),
  };
}

// compileAuth turns the auth choice into what the verifier needs; API keys are read from their Secret now.
function compileAuth(
  spec: OciVaultAuthority,
  at: string,
  lookup: SecretLookupFn,
  errors: FieldError[],
): CompiledOciVaultAuth {
  const auth = spec.auth ?? {};
  if (auth.instancePrincipal === true) return { kind: 'instancePrincipal' };
  if (auth.workloadIdentity === true) return { kind: 'workloadIdentity' };
  if (auth.configFile !== undefined)
    return {
      kind: 'configFile',
      configFile: auth.configFile || DEFAULT_OCI_CONFIG_FILE,
      profile: auth.profile ?? DEFAULT_OCI_PROFILE,
    };
  const ref = auth.secretRef;
  const unresolved: CompiledOciVaultAuth = { kind: 'instancePrincipal' };
  if (!ref) return unresolved; // validation already reported the missing auth
  const path = `${at}.secretRef`;
  const data = lookup(ref, path);
  if (!data) return unresolved;
  const secret = `${ref.namespace ?? ''}/${ref.name}`.replace(/^\//, '');
  const missing = OCI_API_KEY_SECRET_KEYS.filter((k) => !data[k]);
  if (missing.length > 0) {
    errors.push({
      path,
      code: 'POLICY_SECRET_NOT_FOUND',
      message: `Secret ${secret} lacks ${missing.join(', ')} (an OCI API key needs ${OCI_API_KEY_SECRET_KEYS.join(', ')}, optional passphrase)`,
    });
    return unresolved;
  }
  const apiKey = {
    kind: 'apiKey' as const,
    secret,
    tenancy: (data.tenancy ?? '').trim(),
    user: (data.user ?? '').trim(),
    fingerprint: (data.fingerprint ?? '').trim().toLowerCase(),
    privateKey: data.privatekey ?? '',
    ...(data.passphrase ? { passphrase: data.passphrase } : {}),
  };
  const problem = apiKeyProblem(apiKey);
  if (problem === undefined) return apiKey;
  // Never quote the Secret's values: the private key and passphrase are secrets.
  errors.push({ path, code: 'POLICY_SECRET_INVALID', message: `Secret ${secret}: ${problem}` });
  return unresolved;
}

// apiKeyProblem says what is wrong with an API key from a Secret, without quoting any of it.
function apiKeyProblem(key: {
  tenancy: string;
  user: string;
  fingerprint: string;
  privateKey: string;
  passphrase?: string;
}): string | undefined {
  if (!COMPARTMENT_OCID.test(key.tenancy) || !key.tenancy.startsWith('ocid1.tenancy.'))
    return '"tenancy" is not a tenancy OCID';
  if (!/^ocid1\.user\./.test(key.user)) return '"user" is not a user OCID';
  if (!API_KEY_FINGERPRINT.test(key.fingerprint))
    return '"fingerprint" is not an API key fingerprint (16 hex pairs separated by colons)';
  try {
    const parsed = createPrivateKey({
      key: key.privateKey,
      format: 'pem',
      ...(key.passphrase !== undefined ? { passphrase: key.passphrase } : {}),
    });
    if (parsed.asymmetricKeyType !== 'rsa') return '"privatekey" is not an RSA private key';
  } catch {
    return '"privatekey" is not a PEM private key, or "passphrase" does not open it';
  }
  return undefined;
}
