// Kyverno ClusterPolicy / Policy `verifyImages` rules (kyverno.io/v1, v2beta1) → Portcullis policies.
// Semantics kept and stated: docs/migration.md#from-kyverno.
import { POLICY_API_VERSION, type PolicyObject } from '../policy/crd/crd.types';
import { convertImageValidatingPolicy } from './kyverno-ivp';
import { convertVerifyImages } from './kyverno-verify-images';
import { FieldReader, parsePeerDocuments, toDnsLabel, topReader } from './peer-input';
import { ConversionRecorder, convertInvalid, type Conversion } from './report';

export const KYVERNO = 'Kyverno';
const API_VERSIONS = ['kyverno.io/v1', 'kyverno.io/v2beta1'];
/** Spec fields that only tune Kyverno itself (reports, webhooks, background scans), not what is admitted. */
const SPEC_UNMAPPED: Readonly<Record<string, string>> = {
  background: "Kyverno's background scans report on existing resources; Portcullis judges at admission only",
  webhookTimeoutSeconds:
    'the webhook timeout is set when installing Portcullis (chart value webhook.timeoutSeconds)',
  schemaValidation: "concerns Kyverno's own validation of the policy",
  useServerSideApply: "concerns Kyverno's generate rules",
  mutateExistingOnPolicyUpdate: "concerns Kyverno's mutate rules",
  generateExisting: "concerns Kyverno's generate rules",
  emitWarning: 'Portcullis always returns warnings for warn-mode failures',
  webhookConfiguration: "concerns Kyverno's webhook registration",
};

/** Options of `policy from-kyverno`. */
export interface KyvernoOptions {
  /** Namespace of the ImagePolicies made from a namespaced Policy without metadata.namespace. */
  readonly namespace?: string;
}

// policiesFromKyverno converts every Kyverno policy in the file, or throws every refusal at once.
export function policiesFromKyverno(text: string, options: KyvernoOptions = {}): Conversion {
  const rec = new ConversionRecorder();
  const out: PolicyObject[] = [];
  const names = new Set<string>();
  for (const object of parsePeerDocuments(text, KYVERNO)) {
    const kind = String(object.kind);
    const api = String(object.apiVersion);
    const meta = (object.metadata ?? {}) as Record<string, unknown>;
    const name = typeof meta.name === 'string' ? meta.name : '?';
    if (kind === 'ImageValidatingPolicy' && api.startsWith('policies.kyverno.io/')) {
      out.push(...convertImageValidatingPolicy(object, rec, names));
    } else if ((kind === 'ClusterPolicy' || kind === 'Policy') && API_VERSIONS.includes(api)) {
      out.push(...convertPolicy(object, kind, name, rec, names, options));
    } else if (api === 'v1' && (kind === 'Namespace' || kind === 'ConfigMap' || kind === 'Secret')) {
      rec.unmapped(
        `${kind}/${name}`,
        'not a Kyverno policy; left out (policies that read it through context variables are refused)',
      );
    } else {
      throw convertInvalid(
        KYVERNO,
        `${kind} of ${api} is not a Kyverno ClusterPolicy, Policy or ImageValidatingPolicy`,
      );
    }
  }
  rec.note(
    KYVERNO,
    'Kyverno allows images that no rule matches; Portcullis applies `portcullis serve --no-match` to them (default deny). ' +
      "Run with --no-match allow to keep Kyverno's behaviour, or keep deny to require a policy for every image",
  );
  rec.note(
    KYVERNO,
    'as in Kyverno, every matching rule must pass (each converted rule is its own policy, and all governing policies must pass)',
  );
  return rec.finish(KYVERNO, out);
}

// convertPolicy converts one ClusterPolicy or Policy.
function convertPolicy(
  object: Record<string, unknown>,
  kind: string,
  name: string,
  rec: ConversionRecorder,
  names: Set<string>,
  options: KyvernoOptions,
): PolicyObject[] {
  const top = topReader(object, kind, name, rec, KYVERNO);
  top.take('apiVersion');
  top.take('kind');
  top.take('status');
  const meta = top.obj('metadata');
  const namespace = meta?.str('namespace') ?? options.namespace;
  const autogen = (meta?.value.annotations as Record<string, unknown> | undefined)?.[
    'pod-policies.kyverno.io/autogen-controllers'
  ];
  if (meta !== undefined) for (const k of Object.keys(meta.value)) meta.take(k);
  const spec = top.obj('spec');
  top.finish();
  if (spec === undefined) throw convertInvalid(KYVERNO, `${kind}/${name} has no spec`);
  const s = new FieldReader(spec.value, `${kind}/${name} spec`, rec, KYVERNO);
  for (const [field, why] of Object.entries(SPEC_UNMAPPED)) {
    if (s.has(field)) rec.unmapped(s.at(field), why);
    s.take(field);
  }
  const failurePolicy = s.str('failurePolicy');
  if (failurePolicy === 'Ignore')
    rec.semantics(
      s.at('failurePolicy'),
      "Ignore admits everything while Kyverno's webhook is down; Portcullis's webhooks are installed with failurePolicy: Fail, so nothing is admitted while they are down",
    );
  const action = s.str('validationFailureAction');
  const overrides = s.take('validationFailureActionOverrides');
  if (Array.isArray(overrides) && overrides.length > 0)
    rec.refuse(
      s.at('validationFailureActionOverrides'),
      'per-namespace actions; split the policy per namespace by hand',
    );
  const applyRules = s.str('applyRules');
  const rules = s.list('rules');
  if (applyRules === 'One' && rules.length > 1)
    rec.refuse(
      s.at('applyRules'),
      'One: Kyverno stops at the first matching rule; Portcullis applies every matching policy',
    );
  if (s.has('admission') && s.value.admission === false)
    rec.refuse(s.at('admission'), 'false: the policy only runs in background scans, never at admission');
  s.take('admission');
  if (s.has('matchConditions'))
    rec.refuse(s.at('matchConditions'), 'CEL match conditions are not supported by Portcullis');
  s.take('matchConditions');
  s.finish();
  if (autogen === 'none')
    rec.semantics(
      `${kind}/${name} metadata.annotations`,
      'autogen none: Kyverno checks Pods only; Portcullis also judges the pod templates of Deployments, Jobs, … (their Pods would be denied anyway)',
    );
  const out: PolicyObject[] = [];
  rules.forEach((rule) => {
    const ruleName = typeof rule.value.name === 'string' ? rule.value.name : 'rule';
    out.push(
      ...convertVerifyImages(rule, {
        rec,
        cluster: kind === 'ClusterPolicy',
        namespace,
        action,
        stem: toDnsLabel(`${name}-${ruleName}`, 'kyverno'),
        names,
      }),
    );
  });
  return out.map((p) => ({ ...p, apiVersion: POLICY_API_VERSION }));
}
