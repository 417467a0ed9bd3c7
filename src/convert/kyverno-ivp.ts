// Kyverno ImageValidatingPolicy (policies.kyverno.io) → Portcullis policies, for the one shape that has a faithful
// counterpart: validations that each require every container image to carry a signature by given attestors.
import {
  POLICY_API_VERSION,
  type Authority,
  type ClusterImagePolicyObject,
  type CrdPolicyMode,
} from '../policy/crd/crd.types';
import { translateKyvernoPattern } from './kyverno-glob';
import { FieldReader, toDnsLabel } from './peer-input';
import type { ConversionRecorder } from './report';

/** `images.containers.map(image, verifyImageSignatures(image, [attestors.a, …])).all(e, e > 0)` */
const SIGNED_BY =
  /^images\.containers\.map\(\s*(\w+)\s*,\s*verifyImageSignatures\(\s*\1\s*,\s*\[([\w.,\s]+)\]\s*\)\s*\)\.all\(\s*(\w+)\s*,\s*\3\s*>\s*0\s*\)$/;
const ACTIONS: Readonly<Record<string, CrdPolicyMode>> = { Deny: 'enforce', Audit: 'audit', Warn: 'warn' };

// convertImageValidatingPolicy converts one ImageValidatingPolicy, refusing every validation it cannot express.
export function convertImageValidatingPolicy(
  object: Record<string, unknown>,
  rec: ConversionRecorder,
  names: Set<string>,
): ClusterImagePolicyObject[] {
  const meta = (object.metadata ?? {}) as Record<string, unknown>;
  const peer = typeof meta.name === 'string' ? meta.name : 'ivpol';
  const s = new FieldReader(
    (object.spec ?? {}) as Record<string, unknown>,
    `ImageValidatingPolicy/${peer} spec`,
    rec,
    'Kyverno',
  );
  const globs = s.list('matchImageReferences').flatMap((m) => {
    const glob = m.str('glob');
    if (m.has('expression'))
      rec.refuse(m.at('expression'), 'CEL image matching is not supported by Portcullis');
    m.take('expression');
    m.finish();
    const t = glob === undefined ? undefined : translateKyvernoPattern(glob);
    if (t?.kind === 'glob') return [t.glob];
    if (t !== undefined) rec.refuse(m.at('glob'), `"${glob ?? ''}": ${t.reason}`);
    return [];
  });
  const attestors = new Map<string, Authority>();
  for (const a of s.list('attestors')) {
    const name = a.str('name') ?? '';
    const cosign = a.obj('cosign');
    const key = cosign?.obj('key');
    const data = key?.str('data');
    key?.finish();
    cosign?.finish();
    a.finish();
    if (data !== undefined)
      attestors.set(name, { name: toDnsLabel(name, 'attestor'), cosign: { key: { data } } });
    else
      rec.refuse(a.path, 'only attestors with cosign.key.data are converted from an ImageValidatingPolicy');
  }
  const actions = s.strings('validationActions');
  const mode = actions.length === 1 ? ACTIONS[actions[0] ?? ''] : undefined;
  if (mode === undefined)
    rec.refuse(s.at('validationActions'), 'exactly one of Deny, Audit or Warn is converted');
  const used = new Set<string>();
  for (const v of s.list('validations')) {
    const expr = (v.str('expression') ?? '').trim();
    v.take('message');
    v.take('messageExpression');
    v.take('reason');
    v.finish();
    const m = SIGNED_BY.exec(expr);
    const refs = (m?.[2] ?? '').split(',').map((r) => r.trim().replace(/^attestors\./, ''));
    if (m === null || refs.length !== 1 || !attestors.has(refs[0] ?? ''))
      rec.refuse(
        v.path,
        'only `images.containers.map(image, verifyImageSignatures(image, [attestors.NAME])).all(e, e > 0)` has a Portcullis counterpart',
      );
    else used.add(refs[0] ?? '');
  }
  for (const field of [
    'matchConstraints',
    'matchConditions',
    'attestations',
    'variables',
    'auditAnnotations',
    'credentials',
    'images',
    'validationConfigurations',
    'evaluation',
    'webhookConfiguration',
    'failurePolicy',
    'autogen',
  ]) {
    if (s.has(field))
      rec.refuse(
        s.at(field),
        'not converted from an ImageValidatingPolicy; write the Portcullis policy by hand',
      );
    s.take(field);
  }
  s.finish();
  if (globs.length === 0 || used.size === 0) return [];
  return [...used].map((ref) => {
    let name = toDnsLabel(`${peer}-${ref}`, 'ivpol');
    while (names.has(name)) name = `${name.slice(0, 60)}-x`;
    names.add(name);
    const authority = attestors.get(ref) as Authority;
    return {
      apiVersion: POLICY_API_VERSION,
      kind: 'ClusterImagePolicy',
      metadata: { name },
      spec: { mode: mode ?? 'enforce', images: globs.map((glob) => ({ glob })), authorities: [authority] },
    };
  });
}
