// `portcullis policy from-portieris`: Portieris ImagePolicies and ClusterImagePolicies (portieris.cloud.ibm.com/v1)
// as Portcullis policies, keeping Portieris's rules: a namespace's ImagePolicies are used exclusively when it has
// any, the most specific repository name decides, and an image no name matches is denied.
import { parseAllDocuments } from 'yaml';
import { POLICY_API_VERSION, type PolicyObject } from '../policy/crd/crd.types';
import { isRecord } from '../guards';
import { resolveMostSpecific, type PeerRule } from './most-specific';
import { topReader } from './peer-input';
import { readRepository, reportPruned, type PortierisOptions } from './portieris-policy';
import { ConversionRecorder, convertInvalid, type Conversion } from './report';

export type { PortierisOptions } from './portieris-policy';

const FROM = 'Portieris';
const API_VERSION = 'portieris.cloud.ibm.com/v1';
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
    const top = topReader(obj, obj.kind, obj.kind === 'ImagePolicy' ? `${ns}/${name}` : name, rec, FROM);
    for (const key of ['apiVersion', 'kind', 'metadata']) top.take(key);
    const spec = top.obj('spec');
    if (spec === undefined || !Array.isArray(spec.value.repositories))
      throw convertInvalid(FROM, `${top.path.trim()}: spec.repositories must be a list`);
    const scope = { namespace: obj.kind === 'ImagePolicy' ? ns : undefined };
    const rules = spec.list('repositories').map((r) => readRepository(r, options, scope, rec));
    reportPruned(spec, rec);
    reportPruned(top, rec);
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
