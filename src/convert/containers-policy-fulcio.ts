// `sigstoreSigned.fulcio` (containers-policy.json(5)) → a cosign keyless authority. containers/image
// (signature/fulcio_cert.go, policy_eval_sigstore.go) accepts a signature when its Rekor SET verifies with one of
// `rekorPublicKey*`, its certificate chains (at the SET's time, code-signing usage) to a certificate of `caPath`/
// `caData`, its OIDC issuer extension equals `oidcIssuer` and its email SANs include `subjectEmail`. It checks no
// SCT and trusts no timestamp authority. The trusted root written here has exactly those CAs and logs, and no CT
// logs or TSAs, so Portcullis demands no SCT and takes the certificate's time from the log entry only. But
// @sigstore/verify checks every SCT a certificate does carry against the root's CT logs, which policy.json cannot
// name: such certificates (the public-good Fulcio embeds SCTs) are denied. That is reported as stricter.
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import type { CosignAuthority } from '../policy/crd/crd.types';
import { TRUSTED_ROOT_MEDIA_TYPES } from '../policy/authorities/trusted-root';

/** What a `fulcio` requirement gives, read and decoded. */
export interface FulcioInput {
  /** The CA file's bytes (PEM, one or more certificates). */
  readonly ca: Buffer;
  readonly oidcIssuer: string;
  readonly subjectEmail: string;
  /** The Rekor public keys (PEM). */
  readonly rekorKeys: readonly Buffer[];
}

/** The OID of the code-signing extended key usage, and of "any extended key usage". */
const CODE_SIGNING_EKU = '1.3.6.1.5.5.7.3.3';
const ANY_EKU = '2.5.29.37.0';
/** containers/image trusts its CA and Rekor keys without a time bound: the trusted root starts at the epoch. */
const SINCE_EVER = '1970-01-01T00:00:00Z';
/** Rekor SETs are ECDSA over SHA-256 whatever the curve (containers/image's VerifyRekorSET). */
const REKOR_KEY_DETAILS: Readonly<Record<string, string>> = {
  prime256v1: 'PKIX_ECDSA_P256_SHA_256',
  secp384r1: 'PKIX_ECDSA_P384_SHA_256',
  secp521r1: 'PKIX_ECDSA_P521_SHA_256',
};

/** The keyless authority for `input`, or why it cannot be written faithfully. */
export function fulcioAuthority(input: FulcioInput): CosignAuthority | { readonly refused: string } {
  const certs = readCertificates(input.ca);
  if (typeof certs === 'string') return { refused: certs };
  const tlogs = [];
  for (const [i, pem] of input.rekorKeys.entries()) {
    const tlog = rekorLog(pem, i);
    if (typeof tlog === 'string') return { refused: tlog };
    tlogs.push(tlog);
  }
  const start = new Date(Math.min(...certs.map((c) => Date.parse(c.validFrom)))).toISOString();
  const root = {
    mediaType: TRUSTED_ROOT_MEDIA_TYPES[0],
    tlogs,
    certificateAuthorities: [
      {
        subject: { organization: '', commonName: certs[0]?.subject ?? '' },
        uri: 'containers-policy.json fulcio.caPath',
        certChain: { certificates: certs.map((c) => ({ rawBytes: c.raw.toString('base64') })) },
        validFor: { start },
      },
    ],
    ctlogs: [],
    timestampAuthorities: [],
  };
  return {
    keyless: {
      identities: [{ issuer: input.oidcIssuer, subject: input.subjectEmail }],
      trustedRoot: { data: `${JSON.stringify(root, null, 2)}\n` },
    },
    tlog: { required: true },
  };
}

// readCertificates parses every PEM block of the CA file; anything else in it is refused, not skipped.
function readCertificates(ca: Buffer): X509Certificate[] | string {
  const text = ca.toString('utf8');
  const blocks = text.match(/-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----/g) ?? [];
  if (blocks.length === 0) return 'the Fulcio CA file holds no PEM certificate';
  const certs: X509Certificate[] = [];
  for (const block of blocks) {
    if (!block.startsWith('-----BEGIN CERTIFICATE-----'))
      return `the Fulcio CA file holds a ${block.slice(11, block.indexOf('-----', 11))} block, not only certificates`;
    try {
      certs.push(new X509Certificate(block));
    } catch {
      return 'a certificate of the Fulcio CA file does not parse';
    }
  }
  // Go's chain check demands code signing of every certificate that restricts its usage; a CA that forbids it
  // makes containers/image reject every signature, which a trusted root cannot say.
  for (const cert of certs) {
    const usages = cert.keyUsage as string[] | undefined;
    if (usages !== undefined && !usages.includes(CODE_SIGNING_EKU) && !usages.includes(ANY_EKU))
      return `the Fulcio CA certificate ${cert.subject.replaceAll('\n', ', ')} does not allow code signing (containers/image rejects every signature under it)`;
  }
  return certs;
}

// rekorLog turns one Rekor PEM key into a trusted root's log; containers/image accepts ECDSA keys only.
function rekorLog(pem: Buffer, i: number): Record<string, unknown> | string {
  let key;
  try {
    key = createPublicKey(pem);
  } catch {
    return `Rekor public key ${i + 1} is not a PEM public key`;
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const details = key.asymmetricKeyType === 'ec' && curve ? REKOR_KEY_DETAILS[curve] : undefined;
  if (details === undefined)
    return `Rekor public key ${i + 1} is not ECDSA P-256, P-384 or P-521 (containers/image refuses the policy)`;
  const der = key.export({ type: 'spki', format: 'der' });
  return {
    baseUrl: `containers-policy.json rekorPublicKey ${i + 1}`,
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: der.toString('base64'), keyDetails: details, validFor: { start: SINCE_EVER } },
    logId: { keyId: createHash('sha256').update(der).digest('base64') },
  };
}
