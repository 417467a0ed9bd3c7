// Connaisseur validators (`application.validators[]`) and a rule's `with` options, as Portcullis policy specs.
// Connaisseur refuses unknown fields (yaml KnownFields), so an unknown field here is refused too.
import type { Authority, CosignAuthority, KeylessIdentity } from '../policy/crd/crd.types';
import { isRecord } from '../guards';
import type { RuleOutcome, RuleSpec } from './most-specific';
import type { ConversionRecorder } from './report';

/** Connaisseur's public Rekor instance, its default `host.rekor`. */
const PUBLIC_REKOR = 'rekor.sigstore.dev';
/** The trust root used when a rule names none. */
const DEFAULT_TRUST_ROOT = 'default';
const VALIDATOR_FIELDS: Readonly<Record<string, readonly string[]>> = {
  static: ['name', 'type', 'approve'],
  cosign: ['name', 'type', 'trustRoots', 'host', 'auth', 'cert'],
  notaryv1: ['name', 'type', 'trustRoots', 'host', 'auth', 'cert', 'isAcr'],
};

/** A validator of the input, kept raw until a rule uses it. */
export interface ConnaisseurValidator {
  readonly name: string;
  readonly type: string;
  readonly raw: Record<string, unknown>;
  readonly source: string;
}

/** Context for converting one rule. */
export interface RuleContext {
  readonly rec: ConversionRecorder;
  /** `policy[i]`, for messages. */
  readonly source: string;
  /** Namespace of Connaisseur's own Secrets (`auth.secretName`). */
  readonly secretNamespace: string;
}

/** What one rule decides, from its validator and `with` options. */
export function ruleOutcome(
  v: ConnaisseurValidator,
  withOpts: Record<string, unknown>,
  ctx: RuleContext,
): RuleOutcome {
  const known = VALIDATOR_FIELDS[v.type];
  if (known === undefined) {
    ctx.rec.refuse(
      v.source,
      `validator type "${v.type}" is not converted: ${
        v.type === 'notaryv2' || v.type === 'notation'
          ? 'convert its trust policy with `portcullis policy from-notation`'
          : 'Portcullis has no counterpart'
      }`,
    );
    return { kind: 'deny' };
  }
  for (const key of Object.keys(v.raw))
    if (!known.includes(key))
      ctx.rec.refuse(`${v.source}.${key}`, 'unknown field; Connaisseur would refuse it too');
  if (v.type === 'static') return v.raw.approve === true ? { kind: 'allow' } : { kind: 'deny' };
  const roots = selectRoots(v, withOpts, ctx);
  const registry = credentials(v, ctx);
  if (v.raw.cert !== undefined)
    ctx.rec.note(
      `${v.source}.cert`,
      "a TLS CA for the registry or notary server; give it to the webhook's trust (docs/operations.md), " +
        'policies do not carry it. Until then verification fails closed',
    );
  if (v.type === 'notaryv1') return notaryOutcome(v, roots, withOpts, registry, ctx);
  return cosignOutcome(v, roots, withOpts, registry, ctx);
}

// selectRoots resolves `with.trustRoot` (a name, `*` for all, or unset for `default`).
function selectRoots(
  v: ConnaisseurValidator,
  withOpts: Record<string, unknown>,
  ctx: RuleContext,
): Record<string, unknown>[] {
  const all = Array.isArray(v.raw.trustRoots) ? v.raw.trustRoots.filter(isRecord) : [];
  const wanted = typeof withOpts.trustRoot === 'string' ? withOpts.trustRoot : DEFAULT_TRUST_ROOT;
  if (wanted === '*') return all;
  const root = all.find((r) => r.name === wanted);
  if (root === undefined) {
    ctx.rec.refuse(`${ctx.source}.with.trustRoot`, `validator "${v.name}" has no trust root "${wanted}"`);
    return [];
  }
  return [root];
}

// credentials maps `auth.secretName` to a pull Secret; other auth kinds are refused or noted.
function credentials(v: ConnaisseurValidator, ctx: RuleContext): RuleSpec['registry'] {
  const auth = v.raw.auth;
  if (!isRecord(auth)) return undefined;
  if (auth.useKeychain === true)
    ctx.rec.unmapped(
      `${v.source}.auth.useKeychain`,
      "Portcullis always uses the pod's imagePullSecrets and its ServiceAccount's, as the k8s keychain does",
    );
  for (const key of Object.keys(auth))
    if (key !== 'secretName' && key !== 'useKeychain')
      ctx.rec.refuse(
        `${v.source}.auth.${key}`,
        'only auth.secretName (a dockerconfigjson Secret) is converted',
      );
  if (typeof auth.secretName !== 'string') return undefined;
  ctx.rec.note(
    `${v.source}.auth.secretName`,
    `Secret "${auth.secretName}" is read from namespace "${ctx.secretNamespace}" (--secret-namespace)`,
  );
  return { credentials: [{ secretRef: { name: auth.secretName, namespace: ctx.secretNamespace } }] };
}

// notaryOutcome: one notaryV1 authority pinning the trust root's key, with `targets/<name>` delegations.
function notaryOutcome(
  v: ConnaisseurValidator,
  roots: Record<string, unknown>[],
  withOpts: Record<string, unknown>,
  registry: RuleSpec['registry'],
  ctx: RuleContext,
): RuleOutcome {
  if (withOpts.trustRoot === '*' && roots.length > 1)
    ctx.rec.refuse(
      `${ctx.source}.with.trustRoot`,
      'trustRoot "*" on a notaryv1 validator is not converted; name one',
    );
  const keys = roots.map((r) => pemKey(r, v, ctx)).filter((k): k is string => k !== undefined);
  const host = typeof v.raw.host === 'string' ? v.raw.host : 'notary.docker.io';
  const server = /^https?:\/\//.test(host) ? host : `https://${host}`;
  const delegations = Array.isArray(withOpts.delegations)
    ? withOpts.delegations.map((d) => (String(d).startsWith('targets/') ? String(d) : `targets/${String(d)}`))
    : [];
  if (delegations.length === 0)
    ctx.rec.semantics(
      ctx.source,
      'without delegations Portcullis takes the tag from targets/releases when that role exists, else from ' +
        'targets; Connaisseur also searches other delegation roles',
    );
  if (v.raw.isAcr !== undefined)
    ctx.rec.unmapped(`${v.source}.isAcr`, 'a notary API quirk of Azure; it does not change what is trusted');
  const authority: Authority = {
    name: authorityName(String(roots[0]?.name ?? v.name)),
    notaryV1: { server, rootKeys: keys, ...(delegations.length > 0 ? { delegations } : {}) },
  };
  return { kind: 'verify', specs: [{ authorities: [authority], ...(registry ? { registry } : {}) }] };
}

// cosignOutcome: one cosign authority per trust root; `*` with threshold/required as Connaisseur counts them.
function cosignOutcome(
  v: ConnaisseurValidator,
  roots: Record<string, unknown>[],
  withOpts: Record<string, unknown>,
  registry: RuleSpec['registry'],
  ctx: RuleContext,
): RuleOutcome {
  const tlog = withOpts.verifyInTransparencyLog !== false;
  const host = isRecord(v.raw.host) ? v.raw.host : {};
  for (const key of ['fulcioCert', 'ctLogPubkey'])
    if (host[key] !== undefined)
      ctx.rec.refuse(
        `${v.source}.host.${key}`,
        'a private Sigstore instance: build its TrustedRoot (`cosign trusted-root create`) and set ' +
          'cosign.keyless.trustedRoot by hand',
      );
  const rekorKeys = typeof host.rekorPubkey === 'string' ? [host.rekorPubkey] : undefined;
  if (typeof host.rekor === 'string') {
    if (host.rekor !== PUBLIC_REKOR && rekorKeys === undefined)
      ctx.rec.refuse(
        `${v.source}.host.rekor`,
        'a private Rekor needs host.rekorPubkey, which Portcullis pins',
      );
    else
      ctx.rec.unmapped(
        `${v.source}.host.rekor`,
        'Portcullis checks the log entry bundled with the signature; it does not query the log',
      );
  }
  if (withOpts.verifySCT === false && roots.some((r) => isRecord(r.keyless)))
    ctx.rec.refuse(
      `${ctx.source}.with.verifySCT`,
      'Portcullis always checks the certificate timestamp of keyless signatures',
    );
  const authorities = roots.map((r) => cosignAuthority(r, v, tlog, rekorKeys, ctx));
  const base = registry ? { registry } : {};
  if (withOpts.trustRoot !== '*') return { kind: 'verify', specs: [{ ...base, threshold: 1, authorities }] };
  const required = Array.isArray(withOpts.required) ? withOpts.required.map(String) : [];
  const specs: RuleSpec[] = [];
  if (required.length > 0) {
    const picked = authorities.filter((a, i) => required.includes(String(roots[i]?.name)));
    if (picked.length !== required.length)
      ctx.rec.refuse(`${ctx.source}.with.required`, `names a trust root validator "${v.name}" does not have`);
    specs.push({ ...base, threshold: picked.length, authorities: picked });
  }
  const threshold =
    typeof withOpts.threshold === 'number' && withOpts.threshold > 0 ? withOpts.threshold : undefined;
  if (threshold !== undefined || required.length === 0)
    specs.push({ ...base, threshold: threshold ?? authorities.length, authorities });
  return { kind: 'verify', specs };
}

// cosignAuthority converts one trust root: a PEM key, or keyless issuer/subject (Connaisseur's regexes are unanchored).
function cosignAuthority(
  root: Record<string, unknown>,
  v: ConnaisseurValidator,
  tlog: boolean,
  rekorKeys: string[] | undefined,
  ctx: RuleContext,
): Authority {
  const name = authorityName(String(root.name ?? 'root'));
  const log = { tlog: { required: tlog, ...(rekorKeys ? { rekorKeys } : {}) } };
  if (isRecord(root.keyless)) {
    const k = root.keyless;
    const id: KeylessIdentity = {};
    if (typeof k.issuer === 'string') id.issuer = k.issuer;
    if (typeof k.issuerRegex === 'string') id.issuerRegExp = `.*(?:${k.issuerRegex}).*`;
    if (typeof k.subject === 'string') id.subject = k.subject;
    if (typeof k.subjectRegex === 'string') id.subjectRegExp = `.*(?:${k.subjectRegex}).*`;
    const cosign: CosignAuthority = { keyless: { identities: [id] }, ...log };
    return { name, cosign };
  }
  const key = pemKey(root, v, ctx);
  return { name, cosign: { key: { data: key ?? '' }, ...log } };
}

// pemKey reads a trust root's inline PEM key; KMS URIs and file names are refused.
function pemKey(
  root: Record<string, unknown>,
  v: ConnaisseurValidator,
  ctx: RuleContext,
): string | undefined {
  const key = root.key;
  if (typeof key === 'string' && key.includes('-----BEGIN')) return key;
  ctx.rec.refuse(
    `${v.source}.trustRoots(${String(root.name)}).key`,
    'only inline PEM public keys are converted (not KMS URIs or file references)',
  );
  return undefined;
}

// authorityName fits a trust root name to an authority name (letters, digits, - _ .; 1–63).
function authorityName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 63) || 'root';
}
