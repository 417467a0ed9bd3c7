import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { MAX_BUNDLE_CERTS } from './limits';
import type { CaFacts, SecretFacts, ServingFacts } from './rotation.types';
import { splitPemBundle, type TlsMaterial } from './secret-layout';

// parseCert parses one PEM certificate; undefined when it is not one.
function parseCert(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

// parseKey parses one PEM private key; undefined when it is not one.
function parseKey(pem: string | undefined): KeyObject | undefined {
  if (pem === undefined) return undefined;
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

// keyMatches says whether `key` is the private key of `cert`.
function keyMatches(cert: X509Certificate | undefined, key: string | undefined): boolean {
  const parsed = parseKey(key);
  return cert !== undefined && parsed !== undefined && cert.checkPrivateKey(parsed);
}

// toCaFacts reads what the planner needs from a CA certificate.
function toCaFacts(cert: X509Certificate): CaFacts {
  return {
    id: cert.fingerprint256,
    notBefore: Date.parse(cert.validFrom),
    notAfter: Date.parse(cert.validTo),
  };
}

// toServingFacts reads the serving certificate and finds which bundle CA signed it.
function toServingFacts(
  material: TlsMaterial,
  cas: readonly X509Certificate[],
  dnsNames: readonly string[],
): ServingFacts | undefined {
  const cert = material.cert === undefined ? undefined : parseCert(material.cert);
  if (cert === undefined) return undefined;
  const issuer = cas.find((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
  return {
    notBefore: Date.parse(cert.validFrom),
    notAfter: Date.parse(cert.validTo),
    issuerId: issuer?.fingerprint256,
    namesOk: dnsNames.every((name) => cert.checkHost(name, { subject: 'never' }) === name),
    keyMatches: keyMatches(cert, material.key),
  };
}

/**
 * What the planner needs to know about the Secret's TLS material, checked with node:crypto: undefined
 * when `ca.crt` holds no parseable CA certificate (or more than MAX_BUNDLE_CERTS).
 */
export function inspectMaterial(material: TlsMaterial, dnsNames: readonly string[]): SecretFacts | undefined {
  const certs = material.cas.map(parseCert);
  if (certs.length === 0 || certs.length > MAX_BUNDLE_CERTS) return undefined;
  const cas: X509Certificate[] = [];
  for (const cert of certs) {
    if (cert === undefined || !cert.ca) return undefined;
    cas.push(cert);
  }
  return {
    cas: cas.map(toCaFacts),
    signerKeyMatches: keyMatches(cas[0], material.signerKey),
    incomingKeyMatches: cas.length === 2 && keyMatches(cas[1], material.incomingKey),
    serving: toServingFacts(material, cas, dnsNames),
    bundlePublishedAt: material.bundlePublishedAt,
    servingIssuedAt: material.servingIssuedAt,
  };
}

/** The fingerprints of the certificates in a PEM bundle (as a webhook's caBundle holds them). */
export function bundleIds(pem: string): Set<string> {
  const ids = new Set<string>();
  for (const c of splitPemBundle(pem)) {
    const cert = parseCert(c);
    if (cert !== undefined) ids.add(cert.fingerprint256);
  }
  return ids;
}

/** True when both sets hold the same certificates (order in the bundle does not matter for trust). */
export function sameIds(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((id) => b.has(id));
}
