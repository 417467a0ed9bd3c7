// `portcullis policy from-connaisseur`: Connaisseur's Helm values (`application.validators` + `application.policy`,
// or the older top-level `validators` + `policy`) as ClusterImagePolicies, keeping Connaisseur's rule that only the
// most specific matching pattern decides an image.
import { parse } from 'yaml';
import { POLICY_API_VERSION, type LabelSelector, type PolicyObject } from '../policy/crd/crd.types';
import { isRecord } from '../guards';
import { checkValidatorShape, ruleOutcome, type ConnaisseurValidator } from './connaisseur-validators';
import { resolveMostSpecific, type NoMatchSetting, type PeerRule } from './most-specific';
import { FieldReader } from './peer-input';
import { patternHasHost, patternToGlob } from './peer-pattern';
import { ConversionRecorder, convertInvalid, type Conversion } from './report';

/** The peer's name in messages. */
const FROM = 'Connaisseur';
/** Label Connaisseur's namespaced validation reads. */
const NAMESPACE_LABEL = 'securesystemsengineering.connaisseur/webhook';
const KNOWN_FEATURES = [
  'detectionMode',
  'namespacedValidation',
  'automaticChildApproval',
  'automaticUnchangedApproval',
  'resourceValidationMode',
  'cache',
];

/** Options of the Connaisseur conversion. */
export interface ConnaisseurOptions {
  readonly noMatch: NoMatchSetting;
  /** Namespace of Connaisseur's Secrets, for `auth.secretName`. */
  readonly secretNamespace: string;
}

/** Converts Connaisseur Helm values (YAML text); throws POLICY_CONVERT_INVALID / POLICY_CONVERT_UNMAPPABLE. */
export function convertConnaisseur(text: string, options: ConnaisseurOptions): Conversion {
  let values: unknown;
  try {
    values = parse(text);
  } catch (error) {
    throw convertInvalid(FROM, `not valid YAML (${(error as Error).message.slice(0, 200)})`);
  }
  if (!isRecord(values)) throw convertInvalid(FROM, 'the values are not a YAML mapping');
  const rec = new ConversionRecorder();
  const app = isRecord(values.application) ? values.application : values;
  const prefix = app === values ? '' : 'application.';
  for (const key of Object.keys(values))
    if (key !== 'application' && key !== 'validators' && key !== 'policy')
      rec.unmapped(
        key,
        'deployment settings of Connaisseur itself; they do not decide which images are admitted',
      );
  const validators = readValidators(app.validators, `${prefix}validators`, rec);
  if (!Array.isArray(app.policy) || app.policy.length === 0)
    throw convertInvalid(FROM, `${prefix}policy must be a non-empty list of rules`);
  for (const key of Object.keys(app))
    if (!['validators', 'policy', 'features'].includes(key) && app !== values)
      rec.unmapped(
        `${prefix}${key}`,
        'not part of the image policy (e.g. alerting); it does not decide admission',
      );
  const rules = app.policy.map((raw, i) => readRule(raw, `${prefix}policy[${i}]`, validators, options, rec));
  const used = new Set(app.policy.map((raw) => (isRecord(raw) ? (raw.validator ?? 'default') : undefined)));
  for (const v of validators.values())
    if (!used.has(v.name)) rec.unmapped(v.source, 'no rule uses this validator, so it decides nothing');
  const features = readFeatures(app.features, `${prefix}features`, options.noMatch, rec);
  // No exclusions (ADR 0010): Connaisseur's ranking depends on the image, so the converter's static rank can
  // put a rule above one that Connaisseur prefers for some images; refusing such overlaps is the safe answer.
  const emitted = resolveMostSpecific(FROM, rules, options.noMatch, rec);
  rec.semantics(
    `${prefix}policy`,
    'Connaisseur decides an image by the most specific matching pattern only. The converted policies do not ' +
      'overlap where their outcomes differ (the converter checked), so applying all of them decides alike',
  );
  return rec.finish(FROM, toPolicies(emitted, features, rec));
}

// readValidators indexes validators by name, refusing fields Connaisseur's structs do not declare.
function readValidators(
  raw: unknown,
  at: string,
  rec: ConversionRecorder,
): Map<string, ConnaisseurValidator> {
  if (!Array.isArray(raw) || raw.length === 0) throw convertInvalid(FROM, `${at} must be a non-empty list`);
  const out = new Map<string, ConnaisseurValidator>();
  raw.forEach((v, i) => {
    if (!isRecord(v) || typeof v.name !== 'string' || typeof v.type !== 'string')
      throw convertInvalid(FROM, `${at}[${i}] needs a name and a type`);
    checkValidatorShape(new FieldReader(v, `${at}[${i}]`, rec, FROM), v.type);
    out.set(v.name, { name: v.name, type: v.type, raw: v, source: `${at}[${i}] (${v.name})` });
  });
  return out;
}

// readRule converts one `policy[]` rule: its pattern to globs and rank, its validator to an outcome.
function readRule(
  raw: unknown,
  source: string,
  validators: Map<string, ConnaisseurValidator>,
  options: ConnaisseurOptions,
  rec: ConversionRecorder,
): PeerRule {
  if (!isRecord(raw) || typeof raw.pattern !== 'string' || raw.pattern === '')
    throw convertInvalid(FROM, `${source} needs a pattern`);
  const r = new FieldReader(raw, source, rec, FROM);
  const pattern = r.str('pattern') ?? '';
  const name = r.str('validator') ?? 'default';
  const validator = validators.get(name);
  if (validator === undefined)
    throw convertInvalid(FROM, `${source} names validator "${name}", which is not defined`);
  const w = r.obj('with') ?? new FieldReader({}, `${source}.with`, rec, FROM);
  const mode = w.str('mode');
  if (mode !== undefined)
    rec.unmapped(
      w.at('mode'),
      mode === 'insecureValidateOnly'
        ? 'only stops Connaisseur pinning the digest; the decision is the same'
        : 'Connaisseur pins the image to its digest (the default); Portcullis does too',
    );
  const outcome = ruleOutcome(validator, w, { rec, source, secretNamespace: options.secretNamespace });
  w.finish();
  r.finish();
  return { source, pattern, globs: ruleGlobs(pattern, source, rec), rank: connaisseurRank(pattern), outcome };
}

// ruleGlobs converts a pattern: the tag part must be `*` (or absent: Connaisseur then appends `*`).
function ruleGlobs(pattern: string, source: string, rec: ConversionRecorder): string[] {
  if (pattern.includes('@')) {
    rec.refuse(`${source}.pattern`, `"${pattern}" pins a digest; Portcullis globs match image names only`);
    return [];
  }
  const slash = pattern.lastIndexOf('/');
  const colon = pattern.indexOf(':', slash + 1);
  const tag = colon < 0 ? undefined : pattern.slice(colon + 1);
  if (tag !== undefined && tag !== '*') {
    rec.refuse(
      `${source}.pattern`,
      `"${pattern}" selects tags "${tag}"; Portcullis globs match image names only`,
    );
    return [];
  }
  let name = colon < 0 ? pattern : pattern.slice(0, colon);
  if (tag === undefined && !name.endsWith('*')) name = `${name}*`;
  const glob = patternToGlob(name);
  if (typeof glob !== 'string') {
    rec.refuse(`${source}.pattern`, glob.problem);
    return [];
  }
  if (!pattern.startsWith('*'))
    rec.semantics(
      `${source}.pattern`,
      `Connaisseur matches "${pattern}" anywhere in the image name (it prepends "*")${
        patternHasHost(name) ? '' : ', so on every registry'
      }; the glob "${glob}" is anchored at the registry${patternHasHost(name) ? '' : ' and means Docker Hub'}`,
    );
  return [glob];
}

// connaisseurRank is Connaisseur's specificity: more components, then longer literal prefixes, then longer components.
function connaisseurRank(pattern: string): number[] {
  const parts = pattern.split('/');
  return [parts.length, ...parts.map((p) => p.split('*')[0]?.length ?? 0), ...parts.map((p) => p.length)];
}

/** What `features` changes in every generated policy. */
interface Features {
  readonly mode?: 'warn';
  readonly namespaceSelector?: LabelSelector;
}

// readFeatures maps detectionMode to mode: warn and namespacedValidation to a namespace selector.
function readFeatures(raw: unknown, at: string, noMatch: NoMatchSetting, rec: ConversionRecorder): Features {
  if (!isRecord(raw)) return {};
  const f = new FieldReader(raw, at, rec, FROM);
  const out: { mode?: 'warn'; namespaceSelector?: LabelSelector } = {};
  const detection = f.bool('detectionMode');
  if (detection === true) {
    out.mode = 'warn';
    rec.semantics(
      f.at('detectionMode'),
      'Connaisseur admits failing images and logs them; the policies use mode: warn',
    );
  } else if (detection === false) rec.unmapped(f.at('detectionMode'), 'off, as by default');
  const ns = f.obj('namespacedValidation');
  const enabled = ns?.bool('enabled');
  const validate = ns?.str('mode') === 'validate';
  ns?.finish();
  if (ns !== undefined && enabled !== true)
    rec.unmapped(ns.path, 'not enabled, so Connaisseur validates every namespace, as Portcullis does');
  if (enabled === true) {
    if (noMatch === 'deny')
      rec.refuse(
        f.at('namespacedValidation'),
        'Connaisseur admits images in namespaces it does not validate; Portcullis leaves them ungoverned, which ' +
          'only admits them under --no-match allow (or warn)',
      );
    out.namespaceSelector = {
      matchExpressions: [
        validate
          ? { key: NAMESPACE_LABEL, operator: 'In', values: ['validate'] }
          : { key: NAMESPACE_LABEL, operator: 'NotIn', values: ['ignore'] },
      ],
    };
  }
  for (const key of KNOWN_FEATURES.slice(2))
    if (f.take(key) !== undefined)
      rec.unmapped(
        f.at(key),
        'Portcullis verifies every pod and pod template itself (with its own verdict cache); this can only deny ' +
          'an image whose signature was removed after its parent was admitted',
      );
  f.finish();
  return out;
}

// toPolicies names and builds one ClusterImagePolicy per spec of every verifying rule.
function toPolicies(rules: readonly PeerRule[], features: Features, rec: ConversionRecorder): PolicyObject[] {
  const out: PolicyObject[] = [];
  rules.forEach((rule) => {
    if (rule.outcome.kind !== 'verify') return;
    const index = /\[(\d+)\]/.exec(rule.source)?.[1] ?? String(out.length);
    rule.outcome.specs.forEach((spec, n) => {
      const name = `connaisseur-rule-${index}${n > 0 ? `-${n + 1}` : ''}`;
      if (n > 0)
        rec.note(
          rule.source,
          `"with.required" and "with.threshold" both hold: ${name} checks the threshold`,
          name,
        );
      out.push({
        apiVersion: POLICY_API_VERSION,
        kind: 'ClusterImagePolicy',
        metadata: {
          name,
          annotations: { 'portcullis.dev/converted-from': `connaisseur ${rule.source}: ${rule.pattern}` },
        },
        spec: {
          ...(features.mode ? { mode: features.mode } : {}),
          ...(features.namespaceSelector ? { namespaceSelector: features.namespaceSelector } : {}),
          images: rule.globs.map((glob) => ({ glob })),
          ...spec,
        },
      });
    });
  });
  return out;
}
