// Builders shared by the TLS rotator tests: a Secret laid out as the chart's install creates it.
import { X509Certificate } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import { withTlsMaterial, X509_ISSUER, splitPemBundle } from '../../../src/tls';

/** The webhook's DNS names in these tests. */
export const DNS_NAMES = [
  'portcullis.portcullis-system.svc',
  'portcullis.portcullis-system.svc.cluster.local',
];

/** A Secret with one CA and a serving certificate from it, as `helm install` writes it (plus its CA PEM). */
export async function bootstrapSecret(
  now: number,
  caValidityMs: number,
  servingValidityMs: number,
  meta = { namespace: 'portcullis-system', name: 'portcullis-tls' },
): Promise<{ secret: V1Secret; caPem: string }> {
  const ca = await X509_ISSUER.createCa(now, caValidityMs);
  const serving = await X509_ISSUER.issueServing(now, servingValidityMs, ca, DNS_NAMES);
  const secret = withTlsMaterial(
    { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { ...meta } },
    { cas: [ca.cert], signerKey: ca.key, cert: serving.cert, key: serving.key },
  );
  return { secret, caPem: ca.cert };
}

/** The CA certificate (PEM) of `bundle` that signed `certPem`, or undefined: the "no downtime" check. */
export function issuerIn(bundle: string, certPem: string): string | undefined {
  const cert = new X509Certificate(certPem);
  return splitPemBundle(bundle).find((ca) => {
    const c = new X509Certificate(ca);
    return cert.checkIssued(c) && cert.verify(c.publicKey);
  });
}
