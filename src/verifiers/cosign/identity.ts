import type { X509Certificate } from '@sigstore/core';
import type {
  CompiledIdentity,
  FulcioExtensionName,
  StringMatcher,
} from '../../policy/compile/compiled.types';
import { MAX_IDENTITY_VALUE_CHARS } from './limits';
import { quote } from './payload';

/** Fulcio's OIDs (1.3.6.1.4.1.57264.1.*), per sigstore/fulcio docs/oid-info.md. */
const FULCIO_OID = '1.3.6.1.4.1.57264.1';
const ISSUER_V1 = `${FULCIO_OID}.1`;
const ISSUER_V2 = `${FULCIO_OID}.8`;
const EXTENSION_OIDS: Readonly<Record<FulcioExtensionName, string>> = {
  buildSignerURI: `${FULCIO_OID}.9`,
  buildSignerDigest: `${FULCIO_OID}.10`,
  runnerEnvironment: `${FULCIO_OID}.11`,
  sourceRepositoryURI: `${FULCIO_OID}.12`,
  sourceRepositoryDigest: `${FULCIO_OID}.13`,
  sourceRepositoryRef: `${FULCIO_OID}.14`,
  buildConfigURI: `${FULCIO_OID}.18`,
  buildTrigger: `${FULCIO_OID}.20`,
};
const UTF8_STRING_TAG = 12;
const EXTENDED_KEY_USAGE = '2.5.29.37';
const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const ANY_USAGE = '2.5.29.37.0';

/** What a verified certificate says about its signer. */
export interface CertificateIdentity {
  /** The subject alternative name: an email address or a URI (e.g. a workflow). */
  readonly subject?: string;
  /** The OIDC issuer that Fulcio recorded. */
  readonly issuer?: string;
  readonly extensions: Partial<Record<FulcioExtensionName, string>>;
}

/** Reads the SAN, the issuer and the Fulcio extensions of a certificate (already chain-verified). */
export function certificateIdentity(cert: X509Certificate): CertificateIdentity {
  const extensions: Partial<Record<FulcioExtensionName, string>> = {};
  for (const [name, oid] of Object.entries(EXTENSION_OIDS) as [FulcioExtensionName, string][]) {
    const value = derString(cert, oid);
    if (value !== undefined) extensions[name] = value;
  }
  const subject = safe(() => cert.subjectAltName);
  const v2 = derString(cert, ISSUER_V2);
  const v1 = rawString(cert, ISSUER_V1);
  // Two issuer extensions that disagree name no issuer (cosign and containers/image reject such a certificate).
  const issuer = v2 !== undefined && v1 !== undefined && v1 !== v2 ? undefined : (v2 ?? v1);
  return { ...(subject ? { subject } : {}), ...(issuer ? { issuer } : {}), extensions };
}

/**
 * Whether the leaf may sign code: no extended key usage (any use), code signing or any usage. cosign and
 * containers/image verify the chain for code signing; @sigstore/verify does not look at the extension.
 */
export function allowsCodeSigning(cert: X509Certificate): boolean {
  return (
    safe(() => {
      const ext = cert.extension(EXTENDED_KEY_USAGE);
      if (ext === undefined) return true;
      // valueObj is the extension's OCTET STRING; inside it, the SEQUENCE of usage OIDs.
      const usages = (ext.valueObj.subs[0]?.subs ?? []).map((s) => s.toOID());
      return usages.includes(CODE_SIGNING) || usages.includes(ANY_USAGE);
    }) ?? false
  );
}

/** The first policy identity that the certificate satisfies in every field it names, or undefined. */
export function matchIdentity(
  identities: readonly CompiledIdentity[],
  cert: CertificateIdentity,
): CompiledIdentity | undefined {
  return identities.find(
    (id) =>
      matches(id.issuer, cert.issuer) &&
      matches(id.subject, cert.subject) &&
      id.extensions.every((e) => matches(e.match, cert.extensions[e.name])),
  );
}

/** The certificate's identity for messages: `subject "a@b" issued by "https://…"`, plus extensions. */
export function describeCertificate(cert: CertificateIdentity): string {
  const parts = [`subject ${quote(cert.subject)}`, `issuer ${quote(cert.issuer)}`];
  for (const [name, value] of Object.entries(cert.extensions)) parts.push(`${name} ${quote(value)}`);
  return parts.join(', ');
}

// matches applies an optional matcher; a value the certificate lacks, or an oversized one, never matches.
function matches(matcher: StringMatcher | undefined, value: string | undefined): boolean {
  if (matcher === undefined) return true;
  // Bounding the input bounds the work a backtracking regular expression can do on attacker text.
  if (value === undefined || value.length > MAX_IDENTITY_VALUE_CHARS) return false;
  return matcher.test(value);
}

// derString reads a v2 Fulcio extension: a DER UTF8String inside the extension's OCTET STRING.
function derString(cert: X509Certificate, oid: string): string | undefined {
  return safe(() => {
    const inner = cert.extension(oid)?.valueObj.subs[0];
    if (inner === undefined || inner.tag.number !== UTF8_STRING_TAG) return undefined;
    return inner.value.toString('utf8');
  });
}

// rawString reads a v1 Fulcio extension, whose OCTET STRING holds the raw text.
function rawString(cert: X509Certificate, oid: string): string | undefined {
  return safe(() => cert.extension(oid)?.value.toString('utf8'));
}

// safe turns a parse failure on attacker-controlled DER into "absent", which then matches nothing.
function safe<T>(read: () => T | undefined): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
