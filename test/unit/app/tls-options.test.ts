// The self-managed TLS flags of `serve`: accepted forms, and a CONFIG_INVALID_FLAG for each mistake.
import { ConfigError } from '../../../src/cli/errors';
import { toSelfManagedTls, type SelfManagedTlsFlags } from '../../../src/app/tls-options';
import { DAY_MS, DEFAULT_CA_OVERLAP_MS } from '../../../src/tls';

const VALID: SelfManagedTlsFlags = {
  tlsSelfManagedSecret: 'portcullis-system/portcullis-tls',
  tlsValidatingWebhook: 'portcullis',
  tlsMutatingWebhook: 'portcullis',
  tlsDnsName: ['portcullis.portcullis-system.svc', 'portcullis.portcullis-system.svc'],
  tlsCert: '/run/tls/tls.crt',
  tlsKey: '/run/tls/tls.key',
};

describe('toSelfManagedTls', () => {
  test('no --tls-self-managed-secret: off', () => {
    expect(toSelfManagedTls({ tlsCert: 'a', tlsKey: 'b' })).toBeUndefined();
  });

  test('a full set: both configurations, de-duplicated names, the default overlap', () => {
    expect(toSelfManagedTls(VALID)).toEqual({
      secret: { namespace: 'portcullis-system', name: 'portcullis-tls' },
      webhooks: [
        { kind: 'validating', name: 'portcullis' },
        { kind: 'mutating', name: 'portcullis' },
      ],
      dnsNames: ['portcullis.portcullis-system.svc'],
      overlapMs: DEFAULT_CA_OVERLAP_MS,
      certPath: '/run/tls/tls.crt',
      keyPath: '/run/tls/tls.key',
    });
  });

  test.each([
    ['90m', 90 * 60_000],
    ['36h', 36 * 3_600_000],
    ['7d', 7 * DAY_MS],
  ])('--tls-ca-overlap %s', (value, ms) => {
    expect(toSelfManagedTls({ ...VALID, tlsCaOverlap: value })?.overlapMs).toBe(ms);
  });

  test.each<[string, SelfManagedTlsFlags, string]>([
    ['a rotation flag alone', { tlsDnsName: ['x.svc'] }, '--tls-dns-name need --tls-self-managed-secret'],
    ['a Secret without namespace', { ...VALID, tlsSelfManagedSecret: 'portcullis-tls' }, 'NAMESPACE/NAME'],
    ['a Secret with two slashes', { ...VALID, tlsSelfManagedSecret: 'a/b/c' }, 'NAMESPACE/NAME'],
    [
      'an upper-case name',
      { ...VALID, tlsValidatingWebhook: 'Portcullis' },
      '--tls-validating-webhook expects',
    ],
    [
      'no configuration',
      { ...VALID, tlsValidatingWebhook: undefined, tlsMutatingWebhook: undefined },
      'needs --tls-validating-webhook',
    ],
    ['no DNS name', { ...VALID, tlsDnsName: [] }, 'needs --tls-dns-name'],
    ['a bad DNS name', { ...VALID, tlsDnsName: ['under_score.svc'] }, '--tls-dns-name expects a DNS name'],
    ['policy-dir mode', { ...VALID, policyDir: 'p' }, 'needs cluster mode'],
    ['plain HTTP', { ...VALID, plainHttp: true }, 'needs cluster mode'],
    ['no --tls-key', { ...VALID, tlsKey: undefined }, 'needs --tls-cert and --tls-key'],
    ['an overlap below the minimum', { ...VALID, tlsCaOverlap: '59m' }, '--tls-ca-overlap expects'],
    ['an overlap above the maximum', { ...VALID, tlsCaOverlap: '8d' }, '--tls-ca-overlap expects'],
    ['an overlap without a unit', { ...VALID, tlsCaOverlap: '24' }, '--tls-ca-overlap expects'],
  ])('refuses %s', (_name, flags, message) => {
    expect(() => toSelfManagedTls(flags)).toThrowWithCode('CONFIG_INVALID_FLAG', {
      instanceOf: ConfigError,
      message,
    });
  });
});
