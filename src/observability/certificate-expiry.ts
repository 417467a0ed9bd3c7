import { X509Certificate } from 'node:crypto';
import type { Metrics } from './metrics';

/**
 * Sets portcullis_tls_certificate_expiry_timestamp_seconds{certificate="serving"} from a PEM certificate (the first of a chain is the
 * serving one). Called after a pair was loaded and checked, so a certificate that does not parse here leaves
 * the gauge as it was; it returns the expiry in Unix seconds, or undefined.
 */
export function recordCertificateExpiry(metrics: Metrics, certPem: Buffer | string): number | undefined {
  let notAfter: number;
  try {
    notAfter = Date.parse(new X509Certificate(certPem).validTo) / 1000;
  } catch {
    return undefined;
  }
  if (!Number.isFinite(notAfter)) return undefined;
  metrics.tlsCertificateExpiry.set({ certificate: 'serving' }, notAfter);
  return notAfter;
}
