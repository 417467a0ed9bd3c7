import { createHash, X509Certificate } from 'node:crypto';
import type {
  CompiledCertificate,
  CompiledDistinguishedName,
  CompiledNotationAuthority,
} from '../compile/compiled.types';
import type { NotationAuthority } from '../crd/crd.types';
import type { FieldError } from '../errors';

/** Most certificates one trust store (ca, signingAuthority or tsa) may hold. */
export const MAX_TRUST_STORE_CERTIFICATES = 64;
/** Longest certificate text (one entry, possibly several PEM blocks) we parse. */
export const MAX_CERTIFICATE_PEM_BYTES = 256 * 1024;
/** The prefix of a trusted identity in a Notation trust policy. */
export const X509_SUBJECT_PREFIX = 'x509.subject:';
/** Attributes Notation requires in every trusted identity (notation-go trustpolicy). */
export const REQUIRED_DN_ATTRIBUTES = ['C', 'ST', 'O'] as const;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BASE64_TEXT = /^[A-Za-z0-9+/=\s]+$/;

/**
 * Compiles a validated `notation` authority: every trust-store certificate and trusted identity is parsed
 * here, once. Problems are pushed to `errors` with their field path; the result is then not to be used.
 */
export function compileNotationAuthority(
  name: string,
  spec: NotationAuthority,
  at: string,
  errors: FieldError[],
): CompiledNotationAuthority {
  const store = (field: 'ca' | 'signingAuthority' | 'tsa'): CompiledCertificate[] =>
    (spec.trustStore[field] ?? []).flatMap((text, i) =>
      parseTrustCertificates(text, `${at}.trustStore.${field}[${i}]`, errors),
    );
  const ca = store('ca');
  const signingAuthority = store('signingAuthority');
  const tsa = store('tsa');
  if ((spec.trustStore.ca ?? []).length + (spec.trustStore.signingAuthority ?? []).length === 0) {
    errors.push({
      path: `${at}.trustStore`,
      code: 'POLICY_FIELD_REQUIRED',
      message: 'a notation trust store needs ca (notary.x509) or signingAuthority certificates',
    });
  }
  for (const [field, list] of Object.entries({ ca, signingAuthority, tsa })) {
    if (list.length > MAX_TRUST_STORE_CERTIFICATES)
      errors.push({
        path: `${at}.trustStore.${field}`,
        code: 'POLICY_FIELD_VALUE',
        message: `${list.length} certificates; at most ${MAX_TRUST_STORE_CERTIFICATES} are allowed`,
      });
  }
  return {
    kind: 'notation',
    name,
    referenceBound: false,
    trustStore: { ca, signingAuthority, tsa },
    trustedIdentities: compileIdentities(spec.trustedIdentities, `${at}.trustedIdentities`, errors),
    verificationLevel: spec.verificationLevel ?? 'strict',
    verifyTimestamp: spec.verifyTimestamp ?? 'always',
    revocationUnreachable: spec.revocation?.onUnreachable ?? 'deny',
  };
}

// compileIdentities accepts `*` alone, or `x509.subject:` distinguished names, as Notation does.
function compileIdentities(
  list: readonly string[],
  at: string,
  errors: FieldError[],
): 'any' | CompiledDistinguishedName[] {
  if (list.includes('*')) {
    if (list.length > 1)
      errors.push({
        path: at,
        code: 'POLICY_FIELD_VALUE',
        message: '"*" must be the only trusted identity when it is used',
      });
    return 'any';
  }
  const out: CompiledDistinguishedName[] = [];
  list.forEach((text, i) => {
    const parsed = parseTrustedIdentity(text);
    if (typeof parsed === 'string')
      errors.push({ path: `${at}[${i}]`, code: 'POLICY_FIELD_VALUE', message: parsed });
    else out.push(parsed);
  });
  return out;
}

/** Parses `x509.subject: C=US, ST=WA, O=Example`; a string result says what is wrong. */
export function parseTrustedIdentity(text: string): CompiledDistinguishedName | string {
  const trimmed = text.trim();
  if (!trimmed.startsWith(X509_SUBJECT_PREFIX)) {
    return `trusted identity "${trimmed.slice(0, 80)}" must be "*" or start with "${X509_SUBJECT_PREFIX}"`;
  }
  const dn = trimmed.slice(X509_SUBJECT_PREFIX.length).trim();
  const attributes = parseDistinguishedName(dn);
  if (typeof attributes === 'string') return `trusted identity "${dn.slice(0, 80)}": ${attributes}`;
  const types = attributes.map((a) => a.type);
  const duplicate = types.find((t, i) => types.indexOf(t) !== i);
  if (duplicate !== undefined) return `trusted identity "${dn}" repeats the attribute ${duplicate}`;
  const missing = REQUIRED_DN_ATTRIBUTES.filter((t) => !types.includes(t));
  if (missing.length > 0) {
    return `trusted identity "${dn}" lacks ${missing.join(', ')}: Notation requires at least C, ST and O`;
  }
  return { text: dn, attributes };
}

/**
 * Splits an RFC 4514 distinguished name into attribute type/value pairs (multi-valued RDNs flattened).
 * Types are upper-cased; values keep their case and lose their escapes. A string result is an error.
 */
export function parseDistinguishedName(dn: string): { type: string; value: string }[] | string {
  const out: { type: string; value: string }[] = [];
  let i = 0;
  while (i < dn.length) {
    const eq = dn.indexOf('=', i);
    if (eq < 0) return `"${dn.slice(i).trim()}" is not TYPE=value`;
    const type = dn.slice(i, eq).trim().toUpperCase();
    if (!/^([A-Z][A-Z0-9-]*|[0-9]+(\.[0-9]+)+)$/.test(type)) return `"${type}" is not an attribute type`;
    let value = '';
    let j = eq + 1;
    for (; j < dn.length; j++) {
      const c = dn.charAt(j);
      if (c === '\\') {
        const hex = /^[0-9a-fA-F]{2}/.exec(dn.slice(j + 1, j + 3));
        value += hex ? String.fromCharCode(parseInt(hex[0], 16)) : dn.charAt(j + 1);
        j += hex ? 2 : 1;
      } else if (c === ',' || c === '+' || c === ';') break;
      else value += c;
    }
    value = value.trim();
    if (value === '') return `attribute ${type} has an empty value`;
    out.push({ type, value });
    i = j + 1;
  }
  return out.length > 0 ? out : 'the distinguished name is empty';
}

/** Parses one trust-store entry: one or more PEM certificates, or the base64 of that text. */
export function parseTrustCertificates(
  entry: string,
  path: string,
  errors: FieldError[],
): CompiledCertificate[] {
  const fail = (message: string): CompiledCertificate[] => {
    errors.push({ path, code: 'POLICY_KEY_INVALID', message });
    return [];
  };
  if (Buffer.byteLength(entry, 'utf8') > MAX_CERTIFICATE_PEM_BYTES)
    return fail(`certificate text is larger than ${MAX_CERTIFICATE_PEM_BYTES} bytes`);
  let text = entry.trim();
  if (!text.includes('-----BEGIN') && BASE64_TEXT.test(text))
    text = Buffer.from(text, 'base64').toString('utf8');
  if (/PRIVATE KEY/.test(text))
    return fail('a private key was given: paste the CA certificate, and rotate the key if it leaked');
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0)
    return fail(
      'not a PEM certificate: expected "-----BEGIN CERTIFICATE-----" … "-----END CERTIFICATE-----"',
    );
  if (text.replace(PEM_BLOCK, '').trim() !== '')
    return fail('unexpected text outside the PEM blocks (a truncated or mangled certificate?)');
  const out: CompiledCertificate[] = [];
  for (const [n, block] of blocks.entries()) {
    const which = blocks.length > 1 ? `PEM block ${n + 1} of ${blocks.length}: ` : '';
    if (block[1] !== 'CERTIFICATE' || block[3] !== 'CERTIFICATE')
      return fail(`${which}expected a CERTIFICATE block, found "${block[1] ?? ''}"`);
    try {
      const x509 = new X509Certificate(block[0]);
      out.push({ der: x509.raw, x509, id: `sha256:${createHash('sha256').update(x509.raw).digest('hex')}` });
    } catch {
      return fail(`${which}the block does not decode to an X.509 certificate (damaged base64 or DER?)`);
    }
  }
  return out;
}
