// A Kyverno rule's `match` / `exclude` → a Portcullis namespaceSelector, where that is faithful.
import type { LabelSelector, LabelSelectorOperator, LabelSelectorRequirement } from '../policy/crd/crd.types';
import type { FieldReader } from './peer-input';
import type { ConversionRecorder } from './report';

const NAME_LABEL = 'kubernetes.io/metadata.name';
const OPERATORS: readonly string[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
/** Resource-filter fields that select something Portcullis cannot select on. */
const UNSUPPORTED = ['selector', 'names', 'name', 'annotations', 'subjects', 'roles', 'clusterRoles'];

// convertMatch returns the selector for `match` and `exclude`; `namespaced` rules ignore namespace filters.
export function convertMatch(
  rule: FieldReader,
  rec: ConversionRecorder,
  cluster: boolean,
): LabelSelector | undefined {
  const requirements: LabelSelectorRequirement[] = [];
  const labels: Record<string, string> = {};
  const match = rule.obj('match');
  if (match === undefined) rec.refuse(rule.at('match'), 'a rule without match');
  else for (const f of filters(match, rec, 'match')) readFilter(f, rec, cluster, false, requirements, labels);
  const exclude = rule.obj('exclude');
  if (exclude !== undefined)
    for (const f of filters(exclude, rec, 'exclude')) readFilter(f, rec, cluster, true, requirements, labels);
  if (requirements.length === 0 && Object.keys(labels).length === 0) return undefined;
  return {
    ...(Object.keys(labels).length > 0 ? { matchLabels: labels } : {}),
    ...(requirements.length > 0 ? { matchExpressions: requirements } : {}),
  };
}

// filters returns the resource filters of `match`/`exclude`: one `any`/`all` entry or legacy `resources`.
function filters(block: FieldReader, rec: ConversionRecorder, what: string): FieldReader[] {
  const any = block.list('any');
  const all = block.list('all');
  const legacy = block.obj('resources');
  for (const f of ['subjects', 'roles', 'clusterRoles']) {
    if (block.has(f)) rec.refuse(block.at(f), 'matching by requesting user is not supported by Portcullis');
    block.take(f);
  }
  block.finish();
  if (any.length > 1)
    rec.refuse(
      block.at('any'),
      `several alternative filters in ${what}; Portcullis has one namespaceSelector per policy. Split the rule`,
    );
  const list = [...any, ...all];
  const out = list.map((f) => {
    for (const u of ['subjects', 'roles', 'clusterRoles']) {
      if (f.has(u)) rec.refuse(f.at(u), 'matching by requesting user is not supported by Portcullis');
      f.take(u);
    }
    const r = f.obj('resources');
    f.finish();
    return r;
  });
  if (legacy !== undefined) out.push(legacy);
  return out.filter((r): r is FieldReader => r !== undefined);
}

// readFilter folds one `resources` filter into the selector.
function readFilter(
  r: FieldReader,
  rec: ConversionRecorder,
  cluster: boolean,
  exclude: boolean,
  requirements: LabelSelectorRequirement[],
  labels: Record<string, string>,
): void {
  const kinds = r.strings('kinds');
  if (!exclude && !kinds.some((k) => k === 'Pod' || k.endsWith('/Pod')))
    rec.refuse(
      r.at('kinds'),
      `${JSON.stringify(kinds)} does not include Pod; Portcullis checks Pods and their templates`,
    );
  if (exclude && kinds.length > 0)
    rec.refuse(r.at('kinds'), 'excluding kinds is not supported by Portcullis');
  const ops = r.strings('operations');
  if (ops.length > 0 && !ops.includes('CREATE'))
    rec.refuse(r.at('operations'), 'Portcullis judges creations and image updates');
  for (const u of UNSUPPORTED) {
    if (r.has(u)) rec.refuse(r.at(u), `selecting resources by ${u} is not supported by Portcullis`);
    r.take(u);
  }
  const namespaces = r.strings('namespaces');
  if (namespaces.length > 0) {
    if (!cluster) rec.refuse(r.at('namespaces'), 'a namespaced Policy applies in its own namespace only');
    else if (namespaces.some((n) => /[*?]/.test(n)))
      rec.refuse(r.at('namespaces'), 'namespace wildcards have no label-selector counterpart');
    else requirements.push({ key: NAME_LABEL, operator: exclude ? 'NotIn' : 'In', values: namespaces });
  }
  const selector = r.obj('namespaceSelector');
  if (selector !== undefined) {
    if (exclude)
      rec.refuse(selector.path, 'an excluding namespaceSelector has no label-selector counterpart');
    else if (!cluster) rec.refuse(selector.path, 'a namespaced Policy applies in its own namespace only');
    else readSelector(selector, rec, requirements, labels);
  }
  r.finish();
}

// readSelector copies a label selector, checking its operators.
function readSelector(
  s: FieldReader,
  rec: ConversionRecorder,
  requirements: LabelSelectorRequirement[],
  labels: Record<string, string>,
): void {
  const ml = s.take('matchLabels');
  if (ml !== undefined && typeof ml === 'object')
    for (const [k, v] of Object.entries(ml as Record<string, unknown>)) labels[k] = String(v);
  for (const e of s.list('matchExpressions')) {
    const key = e.str('key') ?? '';
    const operator = e.str('operator') ?? '';
    const values = e.strings('values');
    e.finish();
    if (!OPERATORS.includes(operator))
      rec.refuse(e.path, `operator "${operator}" is not a label-selector operator`);
    else
      requirements.push({
        key,
        operator: operator as LabelSelectorOperator,
        ...(values.length > 0 ? { values } : {}),
      });
  }
  s.finish();
}
