// Portieris `policy.simple` (GPG simple signing through containers/image) as `simpleSigning` authorities. Portieris
// builds a containers-policy.json scope from `requirements` (pkg/verifier/simple/policy.go), reads each key from
// the Secret's `key` field (pkg/kubernetes/secret.go) and points registries.d's lookaside at `storeURL`
// (sigStoreConfig.go). Every requirement of the scope must accept the image, as containers/image requires.
import type { Authority } from '../policy/crd/crd.types';
import type { SignedIdentity } from '../policy/crd/simple-signing.types';
import { normaliseServiceUrl } from '../policy/authorities/service-url';
import { LOOKASIDE_URL } from '../policy/authorities/simple-signing';
import type { FieldError } from '../policy/errors';
import type { RuleOutcome } from './most-specific';
import type { FieldReader } from './peer-input';
import type { ConversionRecorder } from './report';

/** Why a field outside Portieris's CRD schema changes nothing. */
export const PRUNED = "not in Portieris's CRD schema: the API server prunes it, so Portieris never sees it";
/** The Secret field Portieris reads a signedBy key from (`GetSecretKey`). */
const PORTIERIS_KEY_FIELD = 'key';

/** Where the policy lives: an ImagePolicy's namespace, or undefined for a ClusterImagePolicy. */
export interface SimpleScope {
  readonly namespace: string | undefined;
}

/**
 * Maps `simple` with requirements to an outcome: `reject` denies, `insecureAcceptAnything` adds nothing, each
 * `signedBy` is one `simpleSigning` authority and all of them must verify. Undefined when only
 * insecureAcceptAnything is required (simple then checks nothing). Refusals go to `rec`.
 */
export function simpleOutcome(
  simple: FieldReader,
  requirements: readonly FieldReader[],
  scope: SimpleScope,
  rec: ConversionRecorder,
): RuleOutcome | undefined {
  const signs = requirements.some((r) => r.value.type === 'signedBy');
  const lookaside = signs ? readStore(simple, rec) : '';
  if (!signs)
    for (const key of ['storeURL', 'storeSecret'])
      if (simple.take(key) !== undefined)
        rec.unmapped(
          simple.at(key),
          'no signedBy requirement, so Portieris reads no signature from the store',
        );
  const authorities: Authority[] = [];
  let rejects = false;
  for (const req of requirements) {
    const type = req.str('type');
    if (type === 'reject') rejects = true;
    else if (type === 'signedBy') {
      const authority = signedBy(req, lookaside, scope, rec);
      if (authority !== undefined)
        authorities.push({ ...authority, name: `simple-${authorities.length + 1}` });
    } else if (type !== 'insecureAcceptAnything')
      rec.refuse(
        req.at('type'),
        `Portieris refuses requirement type ${JSON.stringify(type ?? '')} (it answers every image with an ` +
          'error); only signedBy, insecureAcceptAnything and reject exist',
      );
    if (type !== 'signedBy') {
      for (const key of ['keySecret', 'keySecretNamespace', 'signedIdentity'])
        if (req.take(key) !== undefined)
          rec.unmapped(req.at(key), `only read by signedBy requirements, not ${type ?? 'this one'}`);
    }
    for (const key of req.untaken()) rec.unmapped(req.at(key), PRUNED);
  }
  if (rejects) return { kind: 'deny' };
  if (authorities.length === 0) return undefined;
  return {
    kind: 'verify',
    specs: [{ ...(authorities.length > 1 ? { threshold: authorities.length } : {}), authorities }],
  };
}

// readStore maps storeURL to the lookaside; refuses what Portcullis cannot read there.
function readStore(simple: FieldReader, rec: ConversionRecorder): string {
  const url = simple.str('storeURL');
  if (simple.str('storeSecret') !== undefined)
    rec.refuse(
      simple.at('storeSecret'),
      "Portieris sends the Secret's username and password to the lookaside store; a simpleSigning authority " +
        "cannot name store credentials (Portcullis answers a store's 401 with the keychain's credentials for its " +
        'host). Without them the store would refuse every signature',
    );
  if (url === undefined || url === '') {
    rec.refuse(
      simple.at('storeURL'),
      'without storeURL Portieris reads signatures through the registry\'s "X-Registry-Supports-Signatures" API ' +
        '(IBM Cloud Container Registry has it), which Portcullis does not read; publish the signatures in a ' +
        'lookaside store and give its URL as storeURL',
    );
    return '';
  }
  const problems: FieldError[] = [];
  const lookaside = normaliseServiceUrl(url, simple.at('storeURL'), problems, LOOKASIDE_URL);
  for (const p of problems) rec.refuse(p.path, p.message);
  return lookaside;
}

// signedBy maps one signedBy requirement to a simpleSigning authority (without its name).
function signedBy(
  req: FieldReader,
  lookaside: string,
  scope: SimpleScope,
  rec: ConversionRecorder,
): Omit<Authority, 'name'> | undefined {
  const secret = req.str('keySecret');
  const override = req.str('keySecretNamespace');
  const identity = req.obj('signedIdentity');
  const signedIdentity = identity === undefined ? undefined : readIdentity(identity, rec);
  if (secret === undefined || secret === '') {
    rec.refuse(req.path, 'a signedBy requirement without keySecret is refused by Portieris for every image');
    return undefined;
  }
  const namespace = override !== undefined && override !== '' ? override : scope.namespace;
  if (namespace === undefined) {
    rec.refuse(
      req.at('keySecret'),
      "a ClusterImagePolicy's keySecret is read from the namespace of each pod, so every namespace may hold " +
        'its own key; a simpleSigning authority names one Secret. Add keySecretNamespace',
    );
    return undefined;
  }
  if (scope.namespace !== undefined && namespace !== scope.namespace) {
    rec.refuse(
      req.at('keySecretNamespace'),
      `a Portcullis ImagePolicy reads Secrets only in its own namespace (${scope.namespace}), not ${namespace}`,
    );
    return undefined;
  }
  rec.semantics(
    req.at('keySecret'),
    `Portieris reads only the first armored block in the Secret's "${PORTIERIS_KEY_FIELD}" (one block may hold ` +
      'several keys, as gpg --export --armour A B writes); Portcullis trusts the keys of every block there',
  );
  return {
    simpleSigning: {
      keys: [{ secretRef: { name: secret, namespace, key: PORTIERIS_KEY_FIELD } }],
      ...(signedIdentity === undefined ? {} : { signedIdentity }),
      lookaside,
    },
  };
}

/** Portieris's signedIdentity types (policy.go policySignedIdentity) and the fields each reads. */
const IDENTITY_TYPES: Readonly<Record<string, { type: SignedIdentity['type']; fields: readonly string[] }>> =
  {
    matchExact: { type: 'matchExact', fields: [] },
    matchRepository: { type: 'matchRepository', fields: [] },
    matchExactReference: { type: 'exactReference', fields: ['dockerReference'] },
    matchExactRepository: { type: 'exactRepository', fields: ['dockerRepository'] },
    remapIdentity: { type: 'remapIdentity', fields: ['prefix', 'signedPrefix'] },
  };
const IDENTITY_FIELDS = ['dockerReference', 'dockerRepository', 'prefix', 'signedPrefix'] as const;

// readIdentity maps Portieris's signedIdentity (its own type names) to containers-policy's; empty type: default.
function readIdentity(identity: FieldReader, rec: ConversionRecorder): SignedIdentity | undefined {
  const name = identity.str('type') ?? '';
  const values = new Map<string, string | undefined>(IDENTITY_FIELDS.map((f) => [f, identity.str(f)]));
  for (const key of identity.untaken()) rec.unmapped(identity.at(key), PRUNED);
  const known = IDENTITY_TYPES[name];
  if (name !== '' && known === undefined) {
    rec.refuse(
      identity.at('type'),
      `Portieris refuses signedIdentity type ${JSON.stringify(name)} for every image; it knows ` +
        `${Object.keys(IDENTITY_TYPES).join(', ')} (and an empty type for matchRepoDigestOrExact)`,
    );
    return undefined;
  }
  const used = known?.fields ?? [];
  for (const [field, value] of values)
    if (value !== undefined && !used.includes(field))
      rec.unmapped(identity.at(field), `signedIdentity type ${name || '(default)'} does not read it`);
  if (known === undefined) return undefined;
  const picked: Record<string, string> = {};
  for (const field of used) {
    const value = values.get(field);
    if (value === undefined || value === '')
      rec.refuse(
        identity.at(field),
        `signedIdentity type ${name} needs it; Portieris refuses every image without it`,
      );
    else picked[field] = value;
  }
  return { type: known.type, ...picked };
}
