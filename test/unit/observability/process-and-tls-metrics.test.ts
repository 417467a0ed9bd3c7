// Process metrics (on for serve) and the serving certificate's expiry gauge.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { Metrics } from '../../../src/observability/metrics';
import { recordCertificateExpiry } from '../../../src/observability/certificate-expiry';
import { selfSignedCert } from '../../harness/tls';

const EXPIRY = 'portcullis_tls_certificate_expiry_timestamp_seconds';

describe('process metrics', () => {
  it('are exported when asked for', async () => {
    const text = await new Metrics({ processMetrics: true }).registry.metrics();
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ])
      expect(text).toMatch(new RegExp(`^${name} \\d`, 'm'));
  });

  it('are left out by default', async () => {
    expect(await new Metrics().registry.metrics()).not.toContain('process_cpu_seconds_total');
  });
});

describe('certificate expiry gauge', () => {
  it('has no series before a certificate is loaded (plain HTTP), so no alert reads it as 1970', async () => {
    expect(await new Metrics().registry.metrics()).not.toMatch(new RegExp(`^${EXPIRY}`, 'm'));
  });

  it('holds the notAfter of the last certificate recorded, in Unix seconds', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-expiry-'));
    const short = selfSignedCert(dir, 'short');
    const longKey = path.join(dir, 'long.key');
    const longCert = path.join(dir, 'long.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-days', '400', '-subj', '/CN=long', '-keyout', longKey, '-out', longCert], { stdio: 'ignore' }); // prettier-ignore
    const metrics = new Metrics();
    const first = recordCertificateExpiry(metrics, short.cert);
    expect(first).toBe(Date.parse(new X509Certificate(short.cert).validTo) / 1000);
    expect(await metrics.registry.metrics()).toContain(`${EXPIRY}{certificate="serving"} ${first}`);
    const second = recordCertificateExpiry(metrics, readFileSync(longCert));
    expect(second).toBeGreaterThan((first ?? 0) + 300 * 86_400);
    expect(await metrics.registry.metrics()).toContain(`${EXPIRY}{certificate="serving"} ${second}`);
  });

  it('keeps the last value when given something that is not a certificate', async () => {
    const metrics = new Metrics();
    metrics.tlsCertificateExpiry.set({ certificate: 'serving' }, 42);
    expect(recordCertificateExpiry(metrics, 'not a certificate')).toBeUndefined();
    expect(await metrics.registry.metrics()).toContain(`${EXPIRY}{certificate="serving"} 42`);
  });
});
