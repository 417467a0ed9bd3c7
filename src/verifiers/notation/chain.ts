import { isIssuedBy, isSelfSigned, type ParsedCertificate } from './certificate';
import { MAX_CERT_CHAIN_LENGTH } from './limits';

const EKU_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const EKU_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
const EKU_ANY = '2.5.29.37.0';

/** What the leaf certificate must be good for. */
export type CertificatePurpose = 'codeSigning' | 'timeStamping';

/**
 * Checks the structure of a chain ordered leaf first, as the Notary Project's certificate requirements
 * demand, without looking at time: no certificate twice (loops), each certificate issued and signed by
 * the next, CA certificates with basicConstraints cA and keyCertSign within their pathLen, a leaf with
 * digitalSignature that is not a CA and whose extended key usage allows `purpose`, and no unhandled
 * critical extension. With `selfSignedRoot`, the last certificate must be self-signed. Returns what is
 * wrong, or undefined.
 */
export function describeChainProblem(
  chain: readonly ParsedCertificate[],
  purpose: CertificatePurpose,
  selfSignedRoot: boolean,
): string | undefined {
  if (chain.length === 0) return 'the certificate chain is empty';
  if (chain.length > MAX_CERT_CHAIN_LENGTH)
    return `the chain has ${chain.length} certificates; at most ${MAX_CERT_CHAIN_LENGTH} are accepted`;
  const ids = chain.map((c) => c.id);
  const repeated = ids.findIndex((id, i) => ids.indexOf(id) !== i);
  if (repeated >= 0)
    return `the chain loops: certificate "${chain[repeated]?.subjectText ?? ''}" appears twice`;
  for (const [i, cert] of chain.entries()) {
    if (cert.unhandledCritical.length > 0)
      return `certificate "${cert.subjectText}" has unsupported critical extension(s) ${cert.unhandledCritical.join(', ')}`;
    const next = chain[i + 1];
    if (next !== undefined && !isIssuedBy(cert, next))
      return `certificate "${cert.subjectText}" is not issued and signed by the next one, "${next.subjectText}"`;
    const problem = i === 0 ? describeLeafProblem(cert, purpose) : describeCaProblem(cert, i - 1);
    if (problem !== undefined) return problem;
  }
  const root = chain[chain.length - 1];
  if (selfSignedRoot && root !== undefined && !isSelfSigned(root))
    return `the chain does not end in a self-signed root certificate ("${root.subjectText}" is not self-signed)`;
  return undefined;
}

// describeLeafProblem applies the signing (or timestamping) certificate rules.
function describeLeafProblem(cert: ParsedCertificate, purpose: CertificatePurpose): string | undefined {
  const name = `${purpose === 'codeSigning' ? 'signing' : 'timestamping'} certificate "${cert.subjectText}"`;
  if (cert.basicConstraints?.ca === true) return `${name} is a CA certificate`;
  if (!cert.keyUsage?.has('digitalSignature')) return `${name} lacks the digitalSignature key usage`;
  if (cert.keyUsage.has('keyCertSign')) return `${name} has the keyCertSign key usage of a CA`;
  const eku = cert.extKeyUsage;
  const wanted = purpose === 'codeSigning' ? EKU_CODE_SIGNING : EKU_TIME_STAMPING;
  if (purpose === 'timeStamping' && (eku === undefined || !eku.includes(wanted)))
    return `${name} lacks the timeStamping extended key usage`;
  if (eku !== undefined && !eku.includes(wanted) && !eku.includes(EKU_ANY))
    return `${name} lacks the ${purpose} extended key usage`;
  return undefined;
}

// describeCaProblem applies the CA rules; `below` is how many CA certificates sit under this one.
function describeCaProblem(cert: ParsedCertificate, below: number): string | undefined {
  const name = `CA certificate "${cert.subjectText}"`;
  if (cert.basicConstraints?.ca !== true) return `${name} is not marked as a CA (basicConstraints cA)`;
  if (!cert.keyUsage?.has('keyCertSign')) return `${name} lacks the keyCertSign key usage`;
  const pathLen = cert.basicConstraints.pathLen;
  if (pathLen !== undefined && below > pathLen)
    return `${name} allows ${pathLen} intermediate CA(s) below it, but the chain has ${below}`;
  return undefined;
}

/** Says which certificate is not valid at `at`, or undefined when all are. */
export function describeValidityProblem(chain: readonly ParsedCertificate[], at: Date): string | undefined {
  for (const cert of chain) {
    if (at.getTime() < cert.notBefore.getTime())
      return `certificate "${cert.subjectText}" is not valid before ${cert.notBefore.toISOString()} (checked at ${at.toISOString()})`;
    if (at.getTime() > cert.notAfter.getTime())
      return `certificate "${cert.subjectText}" expired at ${cert.notAfter.toISOString()} (checked at ${at.toISOString()})`;
  }
  return undefined;
}

/**
 * Builds a path from `leaf` to one of `anchors` through `pool` (certificates shipped with a timestamp
 * token), without loops and at most MAX_CERT_CHAIN_LENGTH long. Returns the path ending at the anchor,
 * or undefined when none reaches an anchor.
 */
export function buildPath(
  leaf: ParsedCertificate,
  pool: readonly ParsedCertificate[],
  anchors: readonly ParsedCertificate[],
): ParsedCertificate[] | undefined {
  const path = [leaf];
  for (let cur = leaf; path.length <= MAX_CERT_CHAIN_LENGTH;) {
    if (anchors.some((a) => a.der.equals(cur.der))) return path;
    const anchor = anchors.find((a) => isIssuedBy(cur, a));
    if (anchor !== undefined) return [...path, anchor];
    const next = pool.find((c) => !path.some((p) => p.id === c.id) && isIssuedBy(cur, c));
    if (next === undefined) return undefined;
    path.push(next);
    cur = next;
  }
  return undefined;
}
