// sigstore policy-controller ClusterImagePolicies (policy.sigstore.dev v1alpha1 / v1beta1) → Portcullis
// ClusterImagePolicies. Semantics kept and stated: docs/migration.md#from-sigstore-policy-controller.
import {
  POLICY_API_VERSION,
  type Authority,
  type ClusterImagePolicyObject,
  type ClusterImagePolicySpec,
} from '../policy/crd/crd.types';
import { convertPcAuthority, POLICY_CONTROLLER_NAMESPACE } from './policy-controller-authority';
import { translatePolicyControllerGlob } from './policy-controller-glob';
import { FieldReader, parsePeerDocuments, toDnsLabel, topReader } from './peer-input';
import { ConversionRecorder, convertInvalid, type Conversion } from './report';

const FROM = 'sigstore policy-controller';
const API_VERSIONS = ['policy.sigstore.dev/v1alpha1', 'policy.sigstore.dev/v1beta1'];
/** The label policy-controller requires on a namespace before it acts there. */
export const PC_INCLUDE_LABEL = 'policy.sigstore.dev/include';

// policiesFromPolicyController converts every ClusterImagePolicy in the file, or throws every refusal.
export function policiesFromPolicyController(text: string): Conversion {
  const rec = new ConversionRecorder();
  const out: ClusterImagePolicyObject[] = [];
  for (const object of parsePeerDocuments(text, FROM)) {
    const converted = convertOne(object, rec);
    if (converted !== undefined) out.push(converted);
  }
  rec.note(
    'policy-controller',
    'images that no ClusterImagePolicy matches follow no-match-policy in the ConfigMap config-policy-controller ' +
      '(default deny); Portcullis follows `portcullis serve --no-match` (default deny). Set it to the same value',
  );
  rec.note(
    'policy-controller',
    'as in policy-controller, every matching policy must pass, and a policy passes when any one of its authorities ' +
      'does (threshold 1). policy-controller verifies only digest references (its mutating webhook resolves tags); ' +
      'Portcullis pins every admitted image to the digest it verified, too',
  );
  return rec.finish(FROM, out);
}

// convertOne converts one ClusterImagePolicy document.
function convertOne(
  object: Record<string, unknown>,
  rec: ConversionRecorder,
): ClusterImagePolicyObject | undefined {
  const kind = object.kind;
  if (
    typeof object.apiVersion !== 'string' ||
    !API_VERSIONS.includes(object.apiVersion) ||
    kind !== 'ClusterImagePolicy'
  )
    throw convertInvalid(
      FROM,
      `expected ClusterImagePolicy of ${API_VERSIONS.join(' or ')}, got ${String(object.kind)} of ${String(object.apiVersion)}`,
    );
  const top = topReader(object, 'ClusterImagePolicy', '?', rec, FROM);
  top.take('apiVersion');
  top.take('kind');
  const meta = top.obj('metadata');
  const peerName = meta?.str('name');
  if (meta === undefined || peerName === undefined)
    throw convertInvalid(FROM, 'a ClusterImagePolicy without metadata.name');
  for (const k of Object.keys(meta.value)) if (k !== 'name') meta.take(k);
  const at = `ClusterImagePolicy/${peerName} `;
  const name = toDnsLabel(peerName, 'policy');
  const spec = top.obj('spec');
  top.take('status');
  top.finish();
  if (spec === undefined) throw convertInvalid(FROM, `${at}has no spec`);
  const s = new FieldReader(spec.value, `${at}spec`, rec, FROM);
  const globs = convertGlobs(s, rec, name);
  const mode = s.str('mode');
  if (mode !== undefined && mode !== 'enforce' && mode !== 'warn')
    throw convertInvalid(FROM, `${s.at('mode')}: "${mode}" is neither enforce nor warn`);
  if (s.has('policy'))
    rec.refuse(
      s.at('policy'),
      "a cue or rego policy over the image's metadata or attestations; Portcullis has no counterpart",
    );
  s.take('policy');
  if (s.has('match'))
    rec.refuse(
      s.at('match'),
      'selecting resources by kind, version or label: Portcullis checks every Pod and pod template, so the converted policy would govern objects policy-controller leaves alone',
    );
  s.take('match');
  const { authorities, pullSecrets } = convertAuthorities(s, rec, name);
  s.finish();
  if (globs.length === 0) {
    rec.note(
      `${at}spec.images`,
      'no glob can ever match in policy-controller, so the policy governs nothing; no Portcullis policy was written for it',
    );
    return undefined;
  }
  const outSpec: ClusterImagePolicySpec = {
    mode: mode === 'warn' ? 'warn' : 'enforce',
    namespaceSelector: { matchLabels: { [PC_INCLUDE_LABEL]: 'true' } },
    images: globs.map((glob) => ({ glob })),
    threshold: 1,
    authorities,
  };
  if (pullSecrets.length > 0)
    rec.semantics(
      `${at}spec.authorities`,
      `signaturePullSecrets ${pullSecrets.join(', ')} become registry.credentials in ${POLICY_CONTROLLER_NAMESPACE}, tried for the image and its signatures after the pod's own pull secrets`,
      name,
    );
  if (pullSecrets.length > 0)
    outSpec.registry = {
      credentials: pullSecrets.map((n) => ({
        secretRef: { name: n, namespace: POLICY_CONTROLLER_NAMESPACE },
      })),
    };
  rec.semantics(
    `${at}metadata`,
    `policy-controller acts only in namespaces labelled ${PC_INCLUDE_LABEL}=true; the namespaceSelector keeps that. Drop it to govern every namespace`,
    name,
  );
  if (mode === 'warn') rec.note(s.at('mode'), 'warn admits with a warning, as in policy-controller', name);
  return { apiVersion: POLICY_API_VERSION, kind: 'ClusterImagePolicy', metadata: { name }, spec: outSpec };
}

// convertGlobs maps spec.images, leaving out (with a note) globs that never match and refusing the unfaithful.
function convertGlobs(s: FieldReader, rec: ConversionRecorder, policy: string): string[] {
  const out: string[] = [];
  for (const image of s.list('images')) {
    const glob = image.str('glob');
    if (image.has('regex'))
      rec.refuse(
        image.at('regex'),
        'regular expressions over image references are not supported by Portcullis',
      );
    image.take('regex');
    image.finish();
    if (glob === undefined) continue;
    const t = translatePolicyControllerGlob(glob);
    if (t.kind === 'refuse') rec.refuse(image.at('glob'), `"${glob}": ${t.reason}`);
    else if (t.kind === 'never') rec.unmapped(image.at('glob'), `"${glob}": ${t.reason}`, policy);
    else {
      if (t.globs.length > 1 || t.globs[0] !== glob)
        rec.semantics(
          image.at('glob'),
          `"${glob}" is written as ${t.globs.join(', ')}: the same image names, in Portcullis's glob syntax`,
          policy,
        );
      out.push(...t.globs);
    }
  }
  return [...new Set(out)];
}

// convertAuthorities maps spec.authorities; a static fail authority adds nothing under any-of and is dropped.
function convertAuthorities(
  s: FieldReader,
  rec: ConversionRecorder,
  policy: string,
): { authorities: Authority[]; pullSecrets: string[] } {
  const authorities: Authority[] = [];
  const pullSecrets: string[] = [];
  const used = new Set<string>();
  const list = s.list('authorities');
  if (list.length === 0)
    rec.refuse(s.at('authorities'), 'a policy without authorities; Portcullis needs at least one');
  let fails = 0;
  list.forEach((a, i) => {
    const raw = typeof a.value.name === 'string' ? a.value.name : `authority-${i}`;
    let name = toDnsLabel(raw, `authority-${i}`);
    if (used.has(name)) name = `${name}-${i}`;
    used.add(name);
    const r = convertPcAuthority(a, name, rec, policy);
    pullSecrets.push(...r.pullSecrets);
    if (r.authority !== undefined) authorities.push(r.authority);
    if (r.staticFail === true) fails++;
  });
  if (fails > 0 && authorities.length === 0)
    rec.refuse(
      s.at('authorities'),
      'every authority is `static: {action: fail}`, so policy-controller denies every image the policy matches; Portcullis has no always-fail authority. Use `portcullis serve --no-match deny` and leave these images ungoverned',
    );
  else if (fails > 0)
    rec.unmapped(
      s.at('authorities'),
      'a `static: {action: fail}` authority never passes; since one passing authority suffices, leaving it out changes nothing',
      policy,
    );
  return { authorities, pullSecrets: [...new Set(pullSecrets)] };
}
