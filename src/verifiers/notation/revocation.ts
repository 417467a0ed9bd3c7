import * as asn1js from 'asn1js';
import { LRUCache } from 'lru-cache';
import * as pkijs from 'pkijs';
import type { ParsedCertificate } from './certificate';
import { MAX_CRL_URLS_PER_CERT } from './limits';
import type { RevocationChecker, RevocationStatus } from './outcome.types';

/**
 * Downloads a CRL by `deadline` (epoch ms), stopping early when `signal` aborts; throws (a RegistryError in
 * production, see crl-fetch.ts) when it cannot. Passed in so that tests use local servers.
 */
export interface CrlFetcher {
  fetch(url: string, deadline: number, signal?: AbortSignal): Promise<Buffer>;
}

/** Most CRLs kept in memory by one checker; the least recently used goes first. */
export const MAX_CACHED_CRLS = 64;

interface CachedCrl {
  readonly crl: pkijs.CertificateRevocationList;
  readonly nextUpdate: number;
}

/** CRLs by URL. Each is fresh until its own nextUpdate, judged by the request's clock, so the check is ours. */
type CrlCache = LRUCache<string, CachedCrl>;

const PEM_CRL = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/;

/**
 * Checks every certificate of a signing chain but its root against the CRLs its distribution points name
 * (http/https). A certificate with no CRL and no OCSP URL cannot be revoked. When no CRL can be fetched,
 * verified and current, the status is `unknown` with the reasons; OCSP is not queried, so a certificate
 * that only names an OCSP responder is `unknown` too. CRLs are cached until their nextUpdate.
 */
export function createCrlRevocationChecker(fetcher: CrlFetcher): RevocationChecker {
  const cache: CrlCache = new LRUCache({ max: MAX_CACHED_CRLS });
  return {
    async check(chain, now, deadline, signal): Promise<RevocationStatus> {
      const fetch = (url: string): Promise<Buffer> => fetcher.fetch(url, deadline, signal);
      for (const [i, cert] of chain.entries()) {
        const issuer = chain[i + 1];
        if (issuer === undefined) break;
        const status = await checkOne(cert, issuer, fetch, cache, now);
        if (status.status !== 'good') return status;
      }
      return { status: 'good' };
    },
  };
}

// checkOne tries the certificate's CRL URLs in order until one gives an answer.
async function checkOne(
  cert: ParsedCertificate,
  issuer: ParsedCertificate,
  fetch: (url: string) => Promise<Buffer>,
  cache: CrlCache,
  now: Date,
): Promise<RevocationStatus> {
  const name = `certificate "${cert.subjectText}"`;
  if (cert.crlUrls.length === 0) {
    if (!cert.hasOcsp) return { status: 'good' };
    return {
      status: 'unknown',
      reason: `${name} names only an OCSP responder, and Portcullis checks CRLs only`,
    };
  }
  const problems: string[] = [];
  for (const url of cert.crlUrls.slice(0, MAX_CRL_URLS_PER_CERT)) {
    try {
      const crl = await loadCrl(url, issuer, fetch, cache, now);
      const entry = (crl.revokedCertificates ?? []).find((r) =>
        r.userCertificate.isEqual(cert.pkijs.serialNumber),
      );
      if (entry === undefined) return { status: 'good' };
      const when = entry.revocationDate.value.toISOString();
      return { status: 'revoked', reason: `${name} was revoked at ${when} (CRL ${url})` };
    } catch (error) {
      problems.push(`${url}: ${error instanceof Error ? error.message.split('\n')[0] : 'failed'}`);
    }
  }
  return { status: 'unknown', reason: `no usable CRL for ${name}: ${problems.join('; ')}` };
}

// loadCrl fetches (or reuses) a CRL and checks its issuer, signature and freshness.
async function loadCrl(
  url: string,
  issuer: ParsedCertificate,
  fetch: (url: string) => Promise<Buffer>,
  cache: CrlCache,
  now: Date,
): Promise<pkijs.CertificateRevocationList> {
  const cached = cache.get(url);
  if (cached && cached.nextUpdate > now.getTime()) return cached.crl;
  const bytes = await fetch(url);
  const pem = PEM_CRL.exec(bytes.toString('latin1'));
  const der = pem ? Buffer.from(pem[1] ?? '', 'base64') : bytes;
  const asn = asn1js.fromBER(new Uint8Array(der));
  if (asn.offset === -1) throw new Error('not a DER or PEM CRL');
  const crl = new pkijs.CertificateRevocationList({ schema: asn.result });
  if (!(await crl.verify({ issuerCertificate: issuer.pkijs })))
    throw new Error(`the CRL is not signed by "${issuer.subjectText}"`);
  const next = crl.nextUpdate?.value;
  if (next === undefined || next.getTime() < now.getTime())
    throw new Error(`the CRL is stale (nextUpdate ${next?.toISOString() ?? 'absent'})`);
  if (crl.thisUpdate.value.getTime() > now.getTime()) throw new Error('the CRL is not yet valid');
  cache.set(url, { crl, nextUpdate: next.getTime() });
  return crl;
}
