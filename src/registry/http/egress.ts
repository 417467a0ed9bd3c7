// The one rule for outbound connections, and the places it is enforced. Every HTTP request Portcullis makes
// (registries, token realms, each redirect hop, Notary servers, CRL distribution points, the OCI APIs) goes
// through an Agent built here, which checks the address it actually connects to, after DNS resolution.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Agent, buildConnector } from 'undici';
import { RegistryError } from '../errors';

/** Resolves a host name to all of its addresses, like `dns.lookup` with `all: true`. Tests inject one. */
export type EgressResolver = (hostname: string, family: number) => Promise<readonly LookupAddress[]>;

/** How the guard resolves names; the default is the system resolver (`dns.lookup`). */
export interface EgressOptions {
  readonly resolve?: EgressResolver;
}

interface Block {
  readonly family: 4 | 6;
  readonly first: bigint;
  readonly bits: number;
  /** Completes "<address> is …". */
  readonly what: string;
}

const METADATA = 'a cloud metadata address';
const LINK_LOCAL = 'a link-local address (cloud metadata services live there)';

// The refused blocks, most specific first: the first block that holds an address names the reason.
const REFUSED: readonly Block[] = [
  block('169.254.169.254/32', `${METADATA} (AWS, Azure, Google Cloud, OCI and others)`),
  block('169.254.170.2/32', `${METADATA} (Amazon ECS task credentials)`),
  block('100.100.100.200/32', `${METADATA} (Alibaba Cloud)`),
  block('168.63.129.16/32', 'the Azure platform address (WireServer)'),
  block('fd00:ec2::254/128', `${METADATA} (AWS)`),
  block('fd20:ce::254/128', `${METADATA} (Google Cloud)`),
  block('169.254.0.0/16', LINK_LOCAL),
  block('fe80::/10', LINK_LOCAL),
  block('0.0.0.0/8', 'an unspecified address'),
  block('::/128', 'the unspecified address'),
];

// IPv6 blocks whose last 32 bits are an IPv4 address that traffic reaches: mapped, compatible, NAT64.
const EMBEDS_IPV4: readonly Block[] = ['::ffff:0:0/96', '::/96', '64:ff9b::/96'].map((cidr) =>
  block(cidr, 'an IPv6 form of an IPv4 address'),
);

// Cloud metadata services by name; any other name is judged by the addresses it resolves to.
const METADATA_NAMES: ReadonlySet<string> = new Set([
  'metadata.google.internal',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
]);

const WHAT_TO_DO =
  'Portcullis never connects to link-local, unspecified or cloud-metadata addresses (loopback and private ' +
  'ranges are allowed); if this really is a registry, serve it on a routable address, otherwise a registry, ' +
  'redirect, token realm, certificate or DNS answer is pointing Portcullis at the metadata service';

/**
 * The egress rule: why Portcullis must not connect to `host` (an IP address as written in a URL or resolved
 * by DNS, IPv6 with or without brackets, or a host name), or undefined when it may. Host names other than
 * the known metadata names are allowed here and judged again by what they resolve to.
 */
export function egressRefusal(host: string): string | undefined {
  const name = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const family = isIP(name);
  if (family === 0) {
    const bare = name.replace(/\.$/, '');
    return METADATA_NAMES.has(bare) ? `${bare} is a cloud metadata host name` : undefined;
  }
  const v = family === 4 ? 4 : 6;
  const bits = toBits(name.replace(/%.*$/, ''), v);
  const refused = find(REFUSED, v, bits);
  if (refused !== undefined) return `${name} is ${refused.what}`;
  if (v === 6 && bits !== 1n && find(EMBEDS_IPV4, 6, bits) !== undefined) {
    const v4 = [24n, 16n, 8n, 0n].map((s) => (bits >> s) & 0xffn).join('.');
    const inner = find(REFUSED, 4, bits & 0xffffffffn);
    if (inner !== undefined) return `${name} is ${v4}, ${inner.what}`;
  }
  return undefined;
}

/** URL-level pre-check, before any request: refuses an IP-literal or metadata-name host at once. */
export function checkEgressUrl(url: URL): void {
  const why = egressRefusal(url.hostname);
  if (why !== undefined) throw egressError(url.hostname.replace(/^\[(.*)\]$/, '$1'), undefined, why);
}

/**
 * A `lookup` for net/tls connect: resolves the name, and refuses it when any address it resolves to breaks the
 * rule. The socket connects only to the addresses this returns, so the check cannot be raced by DNS.
 */
export function guardedLookup(resolve: EgressResolver = systemResolve) {
  return (
    hostname: string,
    options: { family?: number | string; all?: boolean },
    callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    const family = typeof options.family === 'number' ? options.family : 0;
    resolve(hostname, family).then(
      (addresses) => {
        for (const { address } of addresses) {
          const why = egressRefusal(address);
          if (why !== undefined) return callback(egressError(hostname, address, why), []);
        }
        const first = addresses[0];
        if (first === undefined)
          return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
        if (options.all) return callback(null, [...addresses]);
        callback(null, first.address, first.family);
      },
      (error: Error) => callback(error, []),
    );
  };
}

/** Wraps a connector so that IP-literal hosts, which net.connect never looks up, pass the rule too. */
export function guardedConnector(base: buildConnector.connector): buildConnector.connector {
  return (opts, callback) => {
    const why = egressRefusal(opts.hostname);
    if (why !== undefined) return callback(egressError(opts.hostname, undefined, why), null);
    base(opts, callback);
  };
}

/** An undici Agent for outbound HTTP with the given TLS options, every connection checked by the rule. */
export function createEgressAgent(tls: ConnectionOptions = {}, options: EgressOptions = {}): Agent {
  const lookup = guardedLookup(options.resolve);
  return new Agent({ connect: guardedConnector(buildConnector({ ...tls, lookup })) });
}

/** The egress refusal in an error's cause chain (undici and fetch wrap what the connector failed with). */
export function findEgressRefusal(e: unknown): RegistryError | undefined {
  for (let cur = e, depth = 0; cur instanceof Error && depth < 5; cur = cur.cause, depth++) {
    if (cur instanceof RegistryError && cur.code === 'REGISTRY_EGRESS_REFUSED') return cur;
  }
  return undefined;
}

// egressError is the refusal: it names the host, the address it resolved to (if any) and why.
function egressError(host: string, address: string | undefined, why: string): RegistryError {
  const target = address === undefined ? host : `${host} (${address})`;
  return new RegistryError(
    'REGISTRY_EGRESS_REFUSED',
    `refused to connect to ${target}: ${why}. ${WHAT_TO_DO}`,
    {
      details: { registry: host, host, address: address ?? host, reason: why },
    },
  );
}

// systemResolve asks the system resolver for every address of a name, as net.connect would.
function systemResolve(hostname: string, family: number): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, family }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );
}

// find returns the first block of `family` that holds `bits`.
function find(blocks: readonly Block[], family: 4 | 6, bits: bigint): Block | undefined {
  const width = family === 4 ? 32 : 128;
  return blocks.find(
    (b) => b.family === family && bits >> BigInt(width - b.bits) === b.first >> BigInt(width - b.bits),
  );
}

// block parses `address/bits` once, at module load.
function block(cidr: string, what: string): Block {
  const [address = '', bits = ''] = cidr.split('/');
  const family = isIP(address) === 4 ? 4 : 6;
  return { family, first: toBits(address, family), bits: Number(bits), what };
}

// toBits reads a valid IP literal as a number: 32 bits for IPv4, 128 for IPv6 (a dotted IPv4 tail included).
function toBits(address: string, family: 4 | 6): bigint {
  if (family === 4) return address.split('.').reduce((n, octet) => (n << 8n) | BigInt(octet), 0n);
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted !== undefined) {
    const v4 = toBits(dotted, 4);
    text = `${text.slice(0, -dotted.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const all =
    tail === undefined
      ? groups(head)
      : [
          ...groups(head),
          ...Array<string>(8 - groups(head).length - groups(tail).length).fill('0'),
          ...groups(tail),
        ];
  return all.reduce((n, group) => (n << 16n) | BigInt(parseInt(group, 16)), 0n);
}
