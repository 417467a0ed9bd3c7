import { MAX_DNS_LABEL_LENGTH, MAX_DNS_SUBDOMAIN_LENGTH } from '../policy/limits';
import { ConfigError } from '../errors';
import { MAX_CA_OVERLAP_MS, MIN_CA_OVERLAP_MS, DEFAULT_CA_OVERLAP_MS } from '../tls/limits';
import type { WebhookConfigRef } from '../tls/kube-api';

/** The `serve` flags of self-managed TLS, as commander hands them over. */
export interface SelfManagedTlsFlags {
  tlsSelfManagedSecret?: string;
  tlsValidatingWebhook?: string;
  tlsMutatingWebhook?: string;
  tlsDnsName?: string[];
  tlsCaOverlap?: string;
  tlsCert?: string;
  tlsKey?: string;
  plainHttp?: boolean;
  policyDir?: string;
}

/** Self-managed TLS settings after validation. */
export interface SelfManagedTls {
  readonly secret: { readonly namespace: string; readonly name: string };
  readonly webhooks: readonly WebhookConfigRef[];
  readonly dnsNames: readonly string[];
  readonly overlapMs: number;
  readonly certPath: string;
  readonly keyPath: string;
}

const DNS_LABEL = new RegExp(`^[a-z0-9]([-a-z0-9]{0,${MAX_DNS_LABEL_LENGTH - 2}}[a-z0-9])?$`);
const DNS_SUBDOMAIN = new RegExp(
  `^(?=.{1,${MAX_DNS_SUBDOMAIN_LENGTH}}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`,
);
const DURATION = /^(\d{1,6})(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

// invalid builds the usage error of one flag.
function invalid(message: string): ConfigError {
  return new ConfigError('CONFIG_INVALID_FLAG', message);
}

// toObjectName validates a Kubernetes object name (or, for --tls-dns-name, a DNS name) given to `flag`.
function toObjectName(flag: string, value: string, what = 'a Kubernetes object name'): string {
  if (!DNS_SUBDOMAIN.test(value)) {
    throw invalid(`${flag} expects ${what} (lower-case DNS subdomain), not "${value}"`);
  }
  return value;
}

// toSecretRef validates --tls-self-managed-secret NAMESPACE/NAME.
function toSecretRef(value: string): { namespace: string; name: string } {
  const [namespace = '', name = '', ...rest] = value.split('/');
  if (rest.length > 0 || !DNS_LABEL.test(namespace) || !DNS_SUBDOMAIN.test(name)) {
    throw invalid(`--tls-self-managed-secret expects NAMESPACE/NAME, not "${value}"`);
  }
  return { namespace, name };
}

// toOverlapMs validates --tls-ca-overlap (e.g. 24h, 90m, 2d).
function toOverlapMs(value: string | undefined): number {
  if (value === undefined) return DEFAULT_CA_OVERLAP_MS;
  const match = DURATION.exec(value);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : NaN;
  if (!(ms >= MIN_CA_OVERLAP_MS && ms <= MAX_CA_OVERLAP_MS)) {
    throw invalid(
      `--tls-ca-overlap expects a duration like 24h, 90m or 2d between ${MIN_CA_OVERLAP_MS / 60_000}m and ` +
        `${MAX_CA_OVERLAP_MS / 86_400_000}d, not "${value}"`,
    );
  }
  return ms;
}

/**
 * Validates the self-managed TLS flags of `serve`. Undefined when --tls-self-managed-secret is absent (and
 * then no other --tls-* rotation flag may be given). The rotator writes the serving pair to --tls-cert and
 * --tls-key, so both are required; it needs the cluster, so --policy-dir and --plain-http are refused.
 */
export function toSelfManagedTls(flags: SelfManagedTlsFlags): SelfManagedTls | undefined {
  const given = [
    flags.tlsValidatingWebhook && '--tls-validating-webhook',
    flags.tlsMutatingWebhook && '--tls-mutating-webhook',
    flags.tlsDnsName?.length && '--tls-dns-name',
    flags.tlsCaOverlap && '--tls-ca-overlap',
  ].filter((f): f is string => typeof f === 'string');
  if (flags.tlsSelfManagedSecret === undefined) {
    if (given.length > 0) throw invalid(`${given.join(', ')} need --tls-self-managed-secret NAMESPACE/NAME`);
    return undefined;
  }
  const secret = toSecretRef(flags.tlsSelfManagedSecret);
  if (flags.plainHttp || flags.policyDir !== undefined) {
    throw invalid(
      '--tls-self-managed-secret needs cluster mode and HTTPS: drop --policy-dir and --plain-http',
    );
  }
  if (!flags.tlsCert || !flags.tlsKey) {
    throw invalid(
      '--tls-self-managed-secret needs --tls-cert and --tls-key: the files it writes the serving pair to',
    );
  }
  const webhooks: WebhookConfigRef[] = [];
  if (flags.tlsValidatingWebhook !== undefined)
    webhooks.push({
      kind: 'validating',
      name: toObjectName('--tls-validating-webhook', flags.tlsValidatingWebhook),
    });
  if (flags.tlsMutatingWebhook !== undefined)
    webhooks.push({
      kind: 'mutating',
      name: toObjectName('--tls-mutating-webhook', flags.tlsMutatingWebhook),
    });
  if (webhooks.length === 0) {
    throw invalid('--tls-self-managed-secret needs --tls-validating-webhook and/or --tls-mutating-webhook');
  }
  const dnsNames = (flags.tlsDnsName ?? []).map((n) => toObjectName('--tls-dns-name', n, 'a DNS name'));
  if (dnsNames.length === 0) {
    throw invalid('--tls-self-managed-secret needs --tls-dns-name (e.g. SERVICE.NAMESPACE.svc), repeatable');
  }
  return {
    secret,
    webhooks,
    dnsNames: [...new Set(dnsNames)],
    overlapMs: toOverlapMs(flags.tlsCaOverlap),
    certPath: flags.tlsCert,
    keyPath: flags.tlsKey,
  };
}
