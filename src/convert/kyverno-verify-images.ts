// One Kyverno rule's `verifyImages` → Portcullis policies: one per attestor set and per attestation, all with the
// rule's globs, so that (as in Kyverno) every set and every attestation must pass.
import {
  POLICY_API_VERSION,
  type CrdPolicyMode,
  type ImagePolicySpec,
  type LabelSelector,
  type PolicyObject,
  type RegistryCredentialRef,
} from '../policy/crd/crd.types';
import { convertAttestorSets, convertConditions, type AttestorSet } from './kyverno-attestor';
import { translateKyvernoPattern } from './kyverno-glob';
import { convertMatch } from './kyverno-match';
import type { FieldReader } from './peer-input';
import { toDnsLabel } from './peer-input';
import type { ConversionRecorder } from './report';

/** Where Kyverno reads imageRegistryCredentials Secrets (its own namespace in a default install). */
export const KYVERNO_NAMESPACE = 'kyverno';
const RULE_REFUSED: Readonly<Record<string, string>> = {
  validate: 'a validate rule is not an image verification; Portcullis does not convert it',
  mutate: 'a mutate rule is not an image verification; Portcullis does not convert it',
  generate: 'a generate rule is not an image verification; Portcullis does not convert it',
  context:
    'context variables (ConfigMaps, API calls) are not supported by Portcullis; inline the values and convert again',
  preconditions: 'preconditions narrow when the rule applies; Portcullis cannot express them',
  celPreconditions: 'CEL preconditions narrow when the rule applies; Portcullis cannot express them',
};

/** What a rule needs from its policy. */
export interface RuleContext {
  readonly rec: ConversionRecorder;
  readonly cluster: boolean;
  readonly namespace: string | undefined;
  readonly action: string | undefined;
  readonly stem: string;
  readonly names: Set<string>;
}

// convertVerifyImages converts one rule.
export function convertVerifyImages(rule: FieldReader, ctx: RuleContext): PolicyObject[] {
  const { rec } = ctx;
  rule.take('name');
  for (const [field, why] of Object.entries(RULE_REFUSED)) {
    if (rule.has(field)) rec.refuse(rule.at(field), why);
    rule.take(field);
  }
  for (const field of ['skipBackgroundRequests', 'reportProperties']) {
    if (rule.has(field)) rec.unmapped(rule.at(field), "concerns Kyverno's reports and background scans only");
    rule.take(field);
  }
  const selector = convertMatch(rule, rec, ctx.cluster);
  const entries = rule.list('verifyImages');
  rule.finish();
  if (entries.length === 0) rec.refuse(rule.path, 'a rule without verifyImages is not an image verification');
  return entries.flatMap((vi, i) =>
    convertEntry(vi, entries.length > 1 ? `${ctx.stem}-${i}` : ctx.stem, selector, ctx),
  );
}

// convertEntry converts one verifyImages entry.
function convertEntry(
  vi: FieldReader,
  stem: string,
  selector: LabelSelector | undefined,
  ctx: RuleContext,
): PolicyObject[] {
  const { rec } = ctx;
  const globs = convertGlobs(vi, rec);
  for (const field of [
    'skipImageReferences',
    'repository',
    'key',
    'roles',
    'issuer',
    'subject',
    'annotations',
    'validate',
  ]) {
    if (vi.has(field) && !(Array.isArray(vi.value[field]) && (vi.value[field] as unknown[]).length === 0))
      rec.refuse(vi.at(field), entryRefusal(field));
    vi.take(field);
  }
  const type = vi.str('type') ?? 'Cosign';
  if (type === 'SigstoreBundle')
    rec.semantics(
      vi.at('type'),
      "SigstoreBundle: Portcullis reads sigstore bundles attached as OCI referrers, as well as cosign's other formats",
    );
  else if (type === 'Cosign' && vi.has('type'))
    rec.semantics(
      vi.at('type'),
      "Cosign: Kyverno reads cosign's signatures; Portcullis also accepts a sigstore bundle from the same signer",
    );
  else if (type !== 'Cosign' && type !== 'Notary')
    rec.refuse(vi.at('type'), `"${type}" is not a signature type Portcullis knows`);
  const mutateDigest = vi.bool('mutateDigest') ?? true;
  const verifyDigest = vi.bool('verifyDigest') ?? true;
  const required = vi.bool('required') ?? true;
  if (!required)
    rec.refuse(
      vi.at('required'),
      'false: Kyverno then admits images this rule has not verified in some cases; Portcullis cannot express an optional check',
    );
  if (mutateDigest)
    rec.unmapped(
      vi.at('mutateDigest'),
      'Portcullis always pins admitted Pods to the verified digest (docs/policy.md, the pinning guarantee)',
    );
  else
    rec.semantics(
      vi.at('mutateDigest'),
      'false: Portcullis pins Pods to the verified digest anyway (docs/policy.md, the pinning guarantee)',
    );
  if (!verifyDigest)
    rec.unmapped(
      vi.at('verifyDigest'),
      'false: Portcullis verifies the digest it pins, which is always present after pinning',
    );
  if (vi.take('useCache') !== undefined)
    rec.unmapped(vi.at('useCache'), 'Portcullis caches verdicts per compiled policy');
  const oci11 = vi.bool('cosignOCI11');
  if (oci11 !== undefined)
    rec.semantics(
      vi.at('cosignOCI11'),
      `${oci11}: Kyverno looks for signatures only ${oci11 ? 'as OCI 1.1 referrers' : "under cosign's tag scheme"}; ` +
        'Portcullis looks in both, so a valid signature by the same signer stored the other way also passes',
    );
  const credentials = convertCredentials(vi.obj('imageRegistryCredentials'), ctx);
  const action = vi.str('failureAction') ?? ctx.action ?? 'Audit';
  const mode: CrdPolicyMode = /^enforce$/i.test(action) ? 'enforce' : 'audit';
  if (mode === 'audit')
    rec.semantics(
      vi.at('failureAction'),
      `${action}: Kyverno admits and writes a PolicyReport; Portcullis mode audit admits and records the failure in logs, metrics, an Event and an audit annotation`,
    );
  const signatureSets = convertAttestorSets(vi.list('attestors'), rec, undefined);
  const attestationSets = vi.list('attestations').flatMap((a, k) => convertAttestation(a, k, rec));
  vi.finish();
  const sets = [
    ...signatureSets.map((s) => ({ s, suffix: 'sig' })),
    ...attestationSets.map((s) => ({ s, suffix: 'att' })),
  ];
  if (sets.length === 0) {
    rec.unmapped(
      vi.path,
      'no attestors and no attestations: the entry only pins digests, which Portcullis does for every governed image',
    );
    return [];
  }
  if (globs.length === 0) return [];
  return sets.map(({ s, suffix }, k) => {
    const name = unique(sets.length > 1 ? toDnsLabel(`${stem}-${suffix}-${k}`, stem) : stem, ctx.names);
    const spec: ImagePolicySpec = {
      mode,
      images: globs.map((glob) => ({ glob })),
      requireDigest: !mutateDigest && verifyDigest,
      threshold: s.threshold,
      authorities: s.authorities,
      ...(credentials.length > 0 ? { registry: { credentials } } : {}),
    };
    return ctx.cluster
      ? {
          apiVersion: POLICY_API_VERSION,
          kind: 'ClusterImagePolicy',
          metadata: { name },
          spec: { ...spec, ...(selector === undefined ? {} : { namespaceSelector: selector }) },
        }
      : {
          apiVersion: POLICY_API_VERSION,
          kind: 'ImagePolicy',
          metadata: { name, ...(ctx.namespace === undefined ? {} : { namespace: ctx.namespace }) },
          spec,
        };
  });
}

// convertAttestation maps one `attestations` entry to attestor sets whose authorities check that attestation.
function convertAttestation(a: FieldReader, k: number, rec: ConversionRecorder): AttestorSet[] {
  const type = a.str('predicateType') ?? a.str('type') ?? '';
  a.take('type');
  a.take('predicateType');
  const name = toDnsLabel(a.str('name') ?? `attestation-${k}`, `attestation-${k}`);
  const conditions = convertConditions(a.list('conditions'), rec);
  const attestors = a.list('attestors');
  if (attestors.length === 0)
    rec.refuse(a.at('attestors'), 'an attestation without its own attestors; name who must sign it');
  const sets = convertAttestorSets(attestors, rec, {
    name,
    predicateType: type,
    ...(conditions.length > 0 ? { conditions } : {}),
  });
  a.finish();
  return sets;
}

// convertGlobs maps imageReferences (and the deprecated `image`).
function convertGlobs(vi: FieldReader, rec: ConversionRecorder): string[] {
  const patterns = [
    ...vi.strings('imageReferences'),
    ...(vi.str('image') === undefined ? [] : [String(vi.value.image)]),
  ];
  const out: string[] = [];
  for (const p of patterns) {
    const t = translateKyvernoPattern(p);
    if (t.kind === 'refuse') rec.refuse(vi.at('imageReferences'), `"${p}": ${t.reason}`);
    else if (t.kind === 'never') rec.unmapped(vi.at('imageReferences'), `"${p}": ${t.reason}`);
    else {
      out.push(t.glob);
      if (t.byTag)
        rec.semantics(
          vi.at('imageReferences'),
          `"${p}" is the glob ${t.glob}: Kyverno's ":*" misses references by digest alone (name@sha256:…), which Portcullis governs too`,
        );
      else if (t.glob !== p)
        rec.semantics(
          vi.at('imageReferences'),
          `"${p}" is the glob ${t.glob} (Kyverno's "*" also matches "/")`,
        );
    }
  }
  if (patterns.length === 0) rec.refuse(vi.at('imageReferences'), 'no image references');
  return [...new Set(out)];
}

// convertCredentials maps imageRegistryCredentials.
function convertCredentials(c: FieldReader | undefined, ctx: RuleContext): RegistryCredentialRef[] {
  if (c === undefined) return [];
  const secrets = c.strings('secrets');
  if (c.bool('allowInsecureRegistry') === true)
    ctx.rec.note(
      c.at('allowInsecureRegistry'),
      'give the registry to `portcullis serve --insecure-registry` instead',
    );
  const providers = c.strings('providers');
  if (providers.length > 0)
    ctx.rec.unmapped(
      c.at('providers'),
      'cloud credential providers: Portcullis uses pull secrets and docker credential helpers',
    );
  c.finish();
  const namespace = ctx.cluster ? KYVERNO_NAMESPACE : ctx.namespace;
  if (secrets.length > 0)
    ctx.rec.semantics(
      c.at('secrets'),
      `Kyverno reads these Secrets in its own namespace; the output names them in ${namespace ?? "the policy's namespace"}`,
    );
  return secrets.map((name) => ({ secretRef: { name, ...(namespace === undefined ? {} : { namespace }) } }));
}

// unique makes a metadata.name unique within the output.
function unique(name: string, names: Set<string>): string {
  let out = name;
  for (let i = 2; names.has(out); i++) out = `${name.slice(0, 60)}-${i}`;
  names.add(out);
  return out;
}

// entryRefusal explains a verifyImages field that cannot be converted.
function entryRefusal(field: string): string {
  if (field === 'skipImageReferences')
    return 'Portcullis globs cannot exclude images; narrow imageReferences instead';
  if (field === 'repository') return 'signatures in another repository are not supported by Portcullis';
  if (field === 'validate')
    return 'deny conditions over attestation data need JMESPath; write CEL conditions by hand';
  return 'a deprecated single-attestor field; move it into attestors and convert again';
}
