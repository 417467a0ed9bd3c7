import { createHash, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const OID_KEY_USAGE = '2.5.29.15';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_EXT_KEY_USAGE = '2.5.29.37';
const OID_CRL_DISTRIBUTION_POINTS = '2.5.29.31';
const OID_AUTHORITY_INFO_ACCESS = '1.3.6.1.5.5.7.1.1';
const OID_OCSP = '1.3.6.1.5.5.7.48.1';
/** Extensions whose criticality we honour (Go's crypto/x509 handles the same set for our purposes). */
const HANDLED_CRITICAL = new Set([
  OID_KEY_USAGE,
  OID_BASIC_CONSTRAINTS,
  OID_EXT_KEY_USAGE,
  '2.5.29.17', // subjectAltName
  '2.5.29.32', // certificatePolicies
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.35', // authorityKeyIdentifier
]);
const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsage = (typeof KEY_USAGE_BITS)[number];
const DN_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.6': 'C',
  '2.5.4.8': 'ST',
  '2.5.4.7': 'L',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.3': 'CN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.9': 'STREET',
  '2.5.4.17': 'POSTALCODE',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'EMAILADDRESS',
};

/** A certificate from an envelope or a timestamp token (attacker-controlled until its chain verifies). */
export interface ParsedCertificate {
  readonly der: Buffer;
  readonly x509: X509Certificate;
  readonly pkijs: pkijs.Certificate;
  /** `sha256:<hex>` of the DER. */
  readonly id: string;
  readonly subject: readonly { readonly type: string; readonly value: string }[];
  /** RFC 4514-like text of the subject, for messages. */
  readonly subjectText: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Undefined when the extension is absent. */
  readonly keyUsage?: ReadonlySet<KeyUsage>;
  readonly extKeyUsage?: readonly string[];
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLen?: number };
  readonly unhandledCritical: readonly string[];
  /** http(s) CRL distribution point URLs. */
  readonly crlUrls: readonly string[];
  readonly hasOcsp: boolean;
}

/** Thrown when a certificate cannot be parsed; callers turn it into a verification failure. */
export class CertificateFormatError extends Error {}

/** Parses a DER certificate with its extensions. Throws CertificateFormatError naming `what`. */
export function parseCertificate(der: Buffer, what: string): ParsedCertificate {
  let x509: X509Certificate;
  let cert: pkijs.Certificate;
  try {
    x509 = new X509Certificate(der);
    const asn = asn1js.fromBER(new Uint8Array(der));
    if (asn.offset === -1 || asn.offset !== der.length) throw new Error('bad DER');
    cert = new pkijs.Certificate({ schema: asn.result });
  } catch {
    throw new CertificateFormatError(`${what} is not a DER X.509 certificate`);
  }
  const subject = cert.subject.typesAndValues.map((tv) => ({
    type: DN_NAMES[tv.type] ?? tv.type,
    value: String((tv.value.valueBlock as { value?: unknown }).value ?? ''),
  }));
  const out: {
    keyUsage?: Set<KeyUsage>;
    extKeyUsage?: string[];
    basicConstraints?: { ca: boolean; pathLen?: number };
    crlUrls: string[];
    hasOcsp: boolean;
    unhandledCritical: string[];
  } = { crlUrls: [], hasOcsp: false, unhandledCritical: [] };
  for (const ext of cert.extensions ?? []) {
    if (ext.critical && !HANDLED_CRITICAL.has(ext.extnID)) out.unhandledCritical.push(ext.extnID);
    readExtension(ext, out);
  }
  return {
    der,
    x509,
    pkijs: cert,
    id: `sha256:${createHash('sha256').update(der).digest('hex')}`,
    subject,
    subjectText: subject.map((a) => `${a.type}=${a.value}`).join(', '),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    ...out,
  };
}

// readExtension decodes the extensions the chain rules and revocation need.
function readExtension(
  ext: pkijs.Extension,
  out: {
    keyUsage?: Set<KeyUsage>;
    extKeyUsage?: string[];
    basicConstraints?: { ca: boolean; pathLen?: number };
    crlUrls: string[];
    hasOcsp: boolean;
  },
): void {
  const parsed: unknown = ext.parsedValue;
  switch (ext.extnID) {
    case OID_KEY_USAGE: {
      const bytes = (parsed as asn1js.BitString | undefined)?.valueBlock.valueHexView ?? new Uint8Array();
      out.keyUsage = new Set(
        KEY_USAGE_BITS.filter((_, i) => ((bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0),
      );
      return;
    }
    case OID_EXT_KEY_USAGE:
      out.extKeyUsage = [...((parsed as pkijs.ExtKeyUsage | undefined)?.keyPurposes ?? [])];
      return;
    case OID_BASIC_CONSTRAINTS: {
      const bc = parsed as pkijs.BasicConstraints | undefined;
      const pathLen = bc?.pathLenConstraint;
      out.basicConstraints = {
        ca: bc?.cA === true,
        ...(typeof pathLen === 'number' ? { pathLen } : {}),
      };
      return;
    }
    case OID_CRL_DISTRIBUTION_POINTS:
      for (const dp of (parsed as pkijs.CRLDistributionPoints | undefined)?.distributionPoints ?? []) {
        const names = Array.isArray(dp.distributionPoint) ? dp.distributionPoint : [];
        for (const n of names)
          if (n.type === 6 && /^https?:\/\//i.test(String(n.value))) out.crlUrls.push(String(n.value));
      }
      return;
    case OID_AUTHORITY_INFO_ACCESS:
      out.hasOcsp = ((parsed as pkijs.InfoAccess | undefined)?.accessDescriptions ?? []).some(
        (d) => d.accessMethod === OID_OCSP,
      );
      return;
    default:
      return;
  }
}

/** Whether `cert` is self-issued and its signature verifies with its own key. */
export function isSelfSigned(cert: ParsedCertificate): boolean {
  return isIssuedBy(cert, cert);
}

/**
 * Whether `issuer` names and signed `cert` (issuer DN equals subject DN, and the signature verifies).
 * Not X509Certificate.checkIssued: OpenSSL also demands keyCertSign there, which self-signed leaves lack.
 */
export function isIssuedBy(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  return cert.pkijs.issuer.isEqual(issuer.pkijs.subject) && verifiesWith(cert, issuer);
}

// verifiesWith checks the certificate signature without ever throwing on odd keys.
function verifiesWith(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  try {
    return cert.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
}
