// `portcullis policy from-portieris`: Portieris ImagePolicies and ClusterImagePolicies (portieris.cloud.ibm.com/v1)
// as Portcullis policies, keeping Portieris's rules: a namespace's ImagePolicies are used exclusively when it has
// any, the most specific repository name decides, and an image no name matches is denied.
import { parseAllDocuments } from 'yaml';
import { POLICY_API_VERSION, type PolicyObject } from '../policy/crd/crd.types';
import { isRecord } from '../guards';
import { resolveMostSpecific, type NoMatchSetting, type PeerRule, type RuleOutcome } from './most-specific';
import { patternToGlob } from './peer-pattern';
import { ConversionRecorder, convertInvalid, type Conversion } from './report';

const FROM = 'Portieris';
const API_VERSION = 'portieris.cloud.ibm.com/v1';
const POLICY_FIELDS = ['trust', 'simple', 'vulnerability', 'mutateImage'];
/** Docker Hub's notary, Portieris's default trust server for docker.io images. */
const DOCKER_HUB_NOTARY = 'https://notary.docker.io';

/** Options of the Portieris conversion. */
export interface PortierisOptions {
  readonly noMatch: NoMatchSetting;
  /** Namespace of ImagePolicies that name none. */
  readonly namespace: string;
  /** PEM root keys of the trust servers' repositories (`--notary-root-key`); Portieris trusts them on first use. */
  readonly rootKeys: readonly string[];
  /** signerSecrets Secret name → the signer name it holds (`--signer SECRET=NAME`). */
  readonly signers: ReadonlyMap<string, string>;
}

/** Converts Portieris policy YAML (one or several documents). */
export function convertPortieris(text: string, options: PortierisOptions): Conversion {
  const rec = new ConversionRecorder();
  const cluster: PeerRule[] = [];
  const namespaced = new Map<string, PeerRule[]>();
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0)
      throw convertInvalid(FROM, `document ${i + 1} is not valid YAML: ${doc.errors[0]?.message}`);
    const obj: unknown = doc.toJS();
    if (obj === null || obj === undefined) continue;
    if (
      !isRecord(obj) ||
      obj.apiVersion !== API_VERSION ||
      (obj.kind !== 'ImagePolicy' && obj.kind !== 'ClusterImagePolicy')
    )
      throw convertInvalid(
        FROM,
        `document ${i + 1} is not a ${API_VERSION} ImagePolicy or ClusterImagePolicy`,
      );
    const meta = isRecord(obj.metadata) ? obj.metadata : {};
    const name = String(meta.name ?? `document-${i + 1}`);
    const ns = typeof meta.namespace === 'string' ? meta.namespace : options.namespace;
    const where = obj.kind === 'ImagePolicy' ? `ImagePolicy/${ns}/${name}` : `ClusterImagePolicy/${name}`;
    const repos =
      isRecord(obj.spec) && Array.isArray(obj.spec.repositories) ? obj.spec.repositories : undefined;
    if (repos === undefined) throw convertInvalid(FROM, `${where}: spec.repositories must be a list`);
    const rules = repos.map((r, j) => readRepository(r, `${where} spec.repositories[${j}]`, options, rec));
    if (obj.kind === 'ClusterImagePolicy') cluster.push(...rules);
    else namespaced.set(ns, [...(namespaced.get(ns) ?? []), ...rules]);
  }
  const policies: PolicyObject[] = [];
  const excluded = [...namespaced.keys()].sort();
  if (cluster.length > 0) {
    const emitted = resolveMostSpecific(`${FROM} (ClusterImagePolicies)`, cluster, options.noMatch, rec);
    policies.push(
      ...emitted.flatMap((r, i) => toPolicy(r, `portieris-cluster-${i + 1}`, undefined, excluded)),
    );
    if (excluded.length > 0)
      rec.semantics(
        'ClusterImagePolicy',
        `Portieris ignores ClusterImagePolicies in a namespace that has ImagePolicies; the converted ` +
          `ClusterImagePolicies leave out ${excluded.join(', ')} (kubernetes.io/metadata.name NotIn). Namespaces ` +
          'whose ImagePolicies are not in this input are not left out: convert them together',
      );
  }
  for (const [ns, rules] of namespaced) {
    const emitted = resolveMostSpecific(`${FROM} (ImagePolicies of ${ns})`, rules, options.noMatch, rec);
    policies.push(...emitted.flatMap((r, i) => toPolicy(r, `portieris-${i + 1}`, ns, [])));
  }
  if (cluster.length === 0 && namespaced.size === 0)
    throw convertInvalid(FROM, 'no ImagePolicy or ClusterImagePolicy');
  return rec.finish(FROM, policies);
}

// readRepository converts one `repositories[]` entry: its name to a glob and rank, its policy to an outcome.
function readRepository(
  raw: unknown,
  source: string,
  options: PortierisOptions,
  rec: ConversionRecorder,
): PeerRule {
  if (!isRecord(raw) || typeof raw.name !== 'string' || raw.name === '')
    throw convertInvalid(FROM, `${source} needs a name`);
  const pattern = raw.name;
  const wild = pattern.includes('*');
  const rank = wild ? [0, pattern.length - (pattern.match(/\*/g) ?? []).length] : [1, pattern.length];
  let globs: string[] = [];
  if (pattern.includes('@') || pattern.slice(pattern.lastIndexOf('/') + 1).includes(':'))
    rec.refuse(
      `${source}.name`,
      `"${pattern}" names a tag or digest; Portcullis globs match image names only`,
    );
  else {
    const glob = patternToGlob(pattern);
    if (typeof glob === 'string') globs = [glob];
    else rec.refuse(`${source}.name`, glob.problem);
  }
  const policy = isRecord(raw.policy) ? raw.policy : {};
  return {
    source,
    pattern,
    globs,
    rank,
    outcome: policyOutcome(policy, globs[0] ?? '', source, options, rec),
  };
}

// policyOutcome maps `policy`: empty or trust disabled admits; trust is Notary v1; simple and vulnerability refuse.
function policyOutcome(
  policy: Record<string, unknown>,
  glob: string,
  source: string,
  options: PortierisOptions,
  rec: ConversionRecorder,
): RuleOutcome {
  for (const key of Object.keys(policy))
    if (!POLICY_FIELDS.includes(key))
      rec.unmapped(
        `${source}.policy.${key}`,
        "not in Portieris's schema: the API server prunes it, so Portieris never sees it",
      );
  if (policy.mutateImage !== undefined)
    rec.unmapped(
      `${source}.policy.mutateImage`,
      "Portcullis's mutating webhook pins governed images to their digest whatever this says; the decision is the same",
    );
  if (isRecord(policy.simple))
    rec.refuse(
      `${source}.policy.simple`,
      'Red Hat simple signing (GPG) is not supported by Portcullis yet; issue 14 adds a `simpleSigning` authority',
    );
  const vuln =
    isRecord(policy.vulnerability) && isRecord(policy.vulnerability.ICCRVA)
      ? policy.vulnerability.ICCRVA
      : {};
  if (vuln.enabled === true)
    rec.refuse(
      `${source}.policy.vulnerability.ICCRVA`,
      'Portcullis has no vulnerability gate; dropping it would admit images Vulnerability Advisor denies',
    );
  const trust = isRecord(policy.trust) ? policy.trust : {};
  if (trust.enabled !== true) {
    // A refused requirement already stops the conversion; an empty verify adds no second, misleading refusal.
    if (isRecord(policy.simple) || vuln.enabled === true) return { kind: 'verify', specs: [] };
    return { kind: 'allow' };
  }
  const server =
    typeof trust.trustServer === 'string'
      ? trust.trustServer
      : glob.startsWith('docker.io/')
        ? DOCKER_HUB_NOTARY
        : undefined;
  if (server === undefined)
    rec.refuse(`${source}.policy.trust`, 'give trustServer: Portcullis needs one notary server per policy');
  if (options.rootKeys.length === 0)
    rec.refuse(
      `${source}.policy.trust`,
      'Portieris trusts a repository root key on first use; Portcullis pins it: pass --notary-root-key FILE',
    );
  else
    rec.semantics(
      `${source}.policy.trust`,
      'Portieris trusts the root key on first use; the policy pins the --notary-root-key keys instead',
    );
  const signers = Array.isArray(trust.signerSecrets)
    ? trust.signerSecrets.filter(isRecord).map((s) => String(s.name))
    : [];
  const delegations = signers.flatMap((secret) => {
    const signer = options.signers.get(secret);
    if (signer !== undefined) return [`targets/${signer}`];
    rec.refuse(
      `${source}.policy.trust.signerSecrets`,
      `pass --signer ${secret}=<signer name> (the Secret's "name")`,
    );
    return [];
  });
  return {
    kind: 'verify',
    specs: [
      {
        authorities: [
          {
            name: 'notary',
            notaryV1: {
              server: server ?? '',
              rootKeys: [...options.rootKeys],
              ...(delegations.length > 0 ? { delegations } : {}),
            },
          },
        ],
      },
    ],
  };
}

// toPolicy builds the ImagePolicy (namespaced) or ClusterImagePolicy for one verifying rule.
function toPolicy(
  rule: PeerRule,
  name: string,
  namespace: string | undefined,
  excluded: readonly string[],
): PolicyObject[] {
  if (rule.outcome.kind !== 'verify') return [];
  const annotations = { 'portcullis.dev/converted-from': `portieris ${rule.source}: ${rule.pattern}` };
  return rule.outcome.specs.map((spec) => {
    const images = rule.globs.map((glob) => ({ glob }));
    if (namespace !== undefined)
      return {
        apiVersion: POLICY_API_VERSION,
        kind: 'ImagePolicy',
        metadata: { name, namespace, annotations },
        spec: { images, ...spec },
      };
    const selector =
      excluded.length > 0
        ? {
            namespaceSelector: {
              matchExpressions: [
                { key: 'kubernetes.io/metadata.name', operator: 'NotIn' as const, values: [...excluded] },
              ],
            },
          }
        : {};
    return {
      apiVersion: POLICY_API_VERSION,
      kind: 'ClusterImagePolicy',
      metadata: { name, annotations },
      spec: { ...selector, images, ...spec },
    };
  });
}
