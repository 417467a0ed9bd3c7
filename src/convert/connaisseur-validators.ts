// Connaisseur validators (`application.validators[]`) and a rule's `with` options, as Portcullis policy specs.
// Connaisseur refuses unknown fields (yaml KnownFields), so an unknown field here, at any depth, is refused too.
import type { Authority, CosignAuthority, KeylessIdentity } from '../policy/crd/crd.types';
import { isRecord } from '../guards';
import type { RuleOutcome, RuleSpec } from './most-specific';
import type { FieldReader } from './peer-input';
import type { ConversionRecorder } from './report';

/** Connaisseur's public Rekor instance, its default `host.rekor`. */
const PUBLIC_REKOR = 'rekor.sigstore.dev';
/** The trust root used when a rule names none. */
const DEFAULT_TRUST_ROOT = 'default';
/** Fields of a validator, as Connaisseur's structs declare them: `true` a value, an object nested fields. */
interface Shape {
  readonly [key: string]: true | Shape | readonly [Shape];
}
const TRUST_ROOT: Shape = {
  name: true,
  key: true,
  cert: true,
  tsCert: true,
  keyless: { issuer: true, subject: true, issuerRegex: true, subjectRegex: true },
};
const VALIDATOR_SHAPES: Readonly<Record<string, Shape>> = {
  static: { name: true, type: true, approve: true },
  cosign: {
    name: true,
    type: true,
    trustRoots: [TRUST_ROOT],
    host: { rekor: true, rekorPubkey: true, fulcioCert: true, ctLogPubkey: true },
    auth: true, // its fields are checked where it is read (credentials)
    cert: true,
  },
  notaryv1: {
    name: true,
    type: true,
    trustRoots: [TRUST_ROOT],
    host: true,
    auth: true,
    cert: true,
    isAcr: true,
  },
};
/** Every `with` option of Connaisseur's RuleOptions except `mode` (read with the rule). */
const WITH_OPTIONS = [
  'trustRoot',
  'verifyInTransparencyLog',
  'verifySCT',
  'threshold',
  'required',
  'delegations',
  'verificationLevel',
  'verifyTimestamp',
];
/** The `with` options each validator type reads; Connaisseur ignores the others for it. */
const WITH_READ: Readonly<Record<string, readonly string[]>> = {
  static: [],
  cosign: ['trustRoot', 'verifyInTransparencyLog', 'verifySCT', 'threshold', 'required'],
  notaryv1: ['trustRoot', 'delegations'],
};

/** A rule's `with` options, as the validator type reads them. */
interface RuleOptions {
  readonly trustRoot?: string;
  readonly threshold?: number;
  readonly required: readonly string[];
  readonly delegations: readonly string[];
  readonly verifyTLog?: boolean;
  readonly verifySCT?: boolean;
}

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

/** Refuses every field of a validator that Connaisseur's structs do not declare, at any depth. */
export function checkValidatorShape(v: FieldReader, type: string): void {
  const shape = VALIDATOR_SHAPES[type];
  if (shape !== undefined) checkShape(v, shape);
}

// checkShape takes the fields `shape` declares, descends into nested ones, and refuses the rest.
function checkShape(r: FieldReader, shape: Shape): void {
  for (const [key, sub] of Object.entries(shape)) {
    if (sub === true || !r.has(key)) r.take(key);
    else if (Array.isArray(sub)) for (const item of r.list(key)) checkShape(item, sub[0] as Shape);
    else if (isRecord(r.value[key])) checkShape(r.obj(key) as FieldReader, sub as Shape);
    else r.take(key); // a host string on cosign is read (and refused) where it is used
  }
  r.finish();
}

/** What one rule decides, from its validator and `with` options (the caller finishes the `with` reader). */
export function ruleOutcome(v: ConnaisseurValidator, w: FieldReader, ctx: RuleContext): RuleOutcome {
  const read = WITH_READ[v.type];
  if (read === undefined) {
    ctx.rec.refuse(
      v.source,
      `validator type "${v.type}" is not converted: ${
        v.type === 'notaryv2' || v.type === 'notation'
          ? 'convert its trust policy with `portcullis policy from-notation`'
          : 'Portcullis has no counterpart'
      }`,
    );
    for (const key of WITH_OPTIONS) w.take(key);
    ctx.rec.refuse(ctx.source, `uses validator "${v.name}", which is not converted`);
    return { kind: 'deny' };
  }
  for (const key of WITH_OPTIONS)
    if (!read.includes(key) && w.has(key)) {
      w.take(key);
      ctx.rec.unmapped(w.at(key), `Connaisseur's ${v.type} validator does not read it`);
    }
  // Only the options this type reads: the others were taken and reported above.
  const reads = (key: string): boolean => read.includes(key);
  const opts: RuleOptions = {
    trustRoot: reads('trustRoot') ? w.str('trustRoot') : undefined,
    threshold: reads('threshold') ? w.int('threshold') : undefined,
    required: reads('required') ? w.strings('required') : [],
    delegations: reads('delegations') ? w.strings('delegations') : [],
    verifyTLog: reads('verifyInTransparencyLog') ? w.bool('verifyInTransparencyLog') : undefined,
    verifySCT: reads('verifySCT') ? w.bool('verifySCT') : undefined,
  };
  if (v.type === 'static') return v.raw.approve === true ? { kind: 'allow' } : { kind: 'deny' };
  const roots = selectRoots(v, opts, w, ctx);
  const registry = credentials(v, ctx);
  if (v.raw.cert !== undefined)
    ctx.rec.note(
      `${v.source}.cert`,
      "a TLS CA for the registry or notary server; give it to the webhook's trust (docs/operations.md), " +
        'policies do not carry it. Until then verification fails closed',
    );
  for (const root of roots) rootCertFields(root, v, ctx);
  if (v.type === 'notaryv1') return notaryOutcome(v, roots, opts, registry, ctx);
  return cosignOutcome(v, roots, opts, w, registry, ctx);
}

// rootCertFields handles a trust root's notation fields on a cosign or notaryv1 validator.
function rootCertFields(root: Record<string, unknown>, v: ConnaisseurValidator, ctx: RuleContext): void {
  const at = `${v.source}.trustRoots(${String(root.name)})`;
  if (root.cert !== undefined)
    ctx.rec.refuse(`${at}.cert`, `a notation trust root field; the ${v.type} validator needs key or keyless`);
  if (root.tsCert !== undefined)
    ctx.rec.unmapped(
      `${at}.tsCert`,
      `only the notation validator reads it; the ${v.type} validator ignores it`,
    );
}

// selectRoots resolves `with.trustRoot` (a name, `*` for all, or unset for `default`).
// With one root named, Connaisseur ignores `threshold` and checks `required` against that root alone.
function selectRoots(
  v: ConnaisseurValidator,
  opts: RuleOptions,
  w: FieldReader,
  ctx: RuleContext,
): Record<string, unknown>[] {
  const all = Array.isArray(v.raw.trustRoots) ? v.raw.trustRoots.filter(isRecord) : [];
  const wanted = opts.trustRoot ?? DEFAULT_TRUST_ROOT;
  if (wanted === '*') return all;
  if (opts.threshold !== undefined)
    ctx.rec.unmapped(w.at('threshold'), 'Connaisseur reads it only with trustRoot "*"');
  if (opts.required.some((name) => name !== wanted))
    ctx.rec.refuse(
      w.at('required'),
      `names a root other than trustRoot "${wanted}": Connaisseur checks only "${wanted}", so it denies every image`,
    );
  else if (opts.required.length > 0)
    ctx.rec.unmapped(w.at('required'), `only names trustRoot "${wanted}", which must verify anyway`);
  const root = all.find((r) => r.name === wanted);
  if (root === undefined) {
    ctx.rec.refuse(w.at('trustRoot'), `validator "${v.name}" has no trust root "${wanted}"`);
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
  opts: RuleOptions,
  registry: RuleSpec['registry'],
  ctx: RuleContext,
): RuleOutcome {
  if (opts.trustRoot === '*' && roots.length > 1)
    ctx.rec.refuse(
      `${ctx.source}.with.trustRoot`,
      'trustRoot "*" on a notaryv1 validator is not converted; name one',
    );
  const keys = roots.map((r) => pemKey(r, v, ctx)).filter((k): k is string => k !== undefined);
  const host = typeof v.raw.host === 'string' ? v.raw.host : 'notary.docker.io';
  const server = /^https?:\/\//.test(host) ? host : `https://${host}`;
  const delegations = opts.delegations.map((d) => (d.startsWith('targets/') ? d : `targets/${d}`));
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
  opts: RuleOptions,
  w: FieldReader,
  registry: RuleSpec['registry'],
  ctx: RuleContext,
): RuleOutcome {
  const tlog = opts.verifyTLog !== false;
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
  if (opts.verifySCT === false && roots.some((r) => isRecord(r.keyless)))
    ctx.rec.refuse(
      w.at('verifySCT'),
      'Portcullis always checks the certificate timestamp of keyless signatures',
    );
  else if (opts.verifySCT !== undefined)
    ctx.rec.unmapped(
      w.at('verifySCT'),
      'Portcullis always checks the certificate timestamp of keyless signatures; key signatures have none',
    );
  const authorities = roots.map((r) => cosignAuthority(r, v, tlog, rekorKeys, ctx));
  const base = registry ? { registry } : {};
  if (opts.trustRoot !== '*') return { kind: 'verify', specs: [{ ...base, threshold: 1, authorities }] };
  const required = opts.required;
  const specs: RuleSpec[] = [];
  if (required.length > 0) {
    const picked = authorities.filter((a, i) => required.includes(String(roots[i]?.name)));
    if (picked.length !== required.length)
      ctx.rec.refuse(w.at('required'), `names a trust root validator "${v.name}" does not have`);
    specs.push({ ...base, threshold: picked.length, authorities: picked });
  }
  const threshold = opts.threshold !== undefined && opts.threshold > 0 ? opts.threshold : undefined;
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
