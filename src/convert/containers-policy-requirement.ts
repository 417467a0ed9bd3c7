// One containers-policy.json(5) requirement (an entry of a scope's list) → what it demands of an image: nothing
// (insecureAcceptAnything), never passing (reject, and the kinds containers/image does not implement), or one
// Portcullis authority (sigstoreSigned → cosign, signedBy → simpleSigning).
import type { Authority, CosignAuthority } from '../policy/crd/crd.types';
import type { SignedIdentity, SignedIdentityType } from '../policy/crd/simple-signing.types';
import { parseArmoredGpgKeys } from '../policy/authorities/gpg-keys';
import type { FieldError } from '../policy/errors';
import { isRecord } from '../guards';
import { armorPublicKeys } from './openpgp-armor';
import { fulcioAuthority } from './containers-policy-fulcio';
import type { ConversionRecorder } from './report';

/** What a requirement demands. */
export type Requirement =
  | { readonly kind: 'accept' }
  | { readonly kind: 'reject'; readonly why: string }
  | { readonly kind: 'verify'; readonly authority: Authority };

/** Reads a key file named in the policy; returns its bytes or why it could not. */
export type KeyFileReader = (file: string) => Buffer | { readonly error: string };

/** What reading a requirement needs. */
export interface RequirementContext {
  readonly rec: ConversionRecorder;
  /** Invalid input found so far (POLICY_CONVERT_INVALID, with its JSON path). */
  readonly invalid: FieldError[];
  readonly readKey: KeyFileReader;
  /** The registries.d lookaside URL for signedBy; absent: signedBy cannot be converted. */
  readonly lookaside?: string;
  /** Only check the shape (requirements of transports a node never pulls through). */
  readonly shapeOnly: boolean;
}

const IDENTITY_FIELDS: Readonly<Record<SignedIdentityType, readonly string[]>> = {
  matchExact: [],
  matchRepoDigestOrExact: [],
  matchRepository: [],
  exactReference: ['dockerReference'],
  exactRepository: ['dockerRepository'],
  remapIdentity: ['prefix', 'signedPrefix'],
};
const SIGNED_BY = ['type', 'keyType', 'keyPath', 'keyPaths', 'keyData', 'signedIdentity'];
const SIGSTORE = [
  'type',
  'keyPath',
  'keyPaths',
  'keyData',
  'keyDatas',
  'fulcio',
  'pki',
  'rekorPublicKeyPath',
  'rekorPublicKeyPaths',
  'rekorPublicKeyData',
  'rekorPublicKeyDatas',
  'signedIdentity',
];
const UNIMPLEMENTED_KEY_TYPES = ['signedByGPGKeys', 'X509Certificates', 'signedByX509CAs'];

// bad records invalid input at a JSON path.
function bad(ctx: RequirementContext, path: string, message: string): void {
  ctx.invalid.push({ path, code: 'POLICY_CONVERT_INVALID', message });
}

// strictKeys flags every key containers/image does not know (it refuses the whole file for one; so do we).
function strictKeys(
  o: Record<string, unknown>,
  known: readonly string[],
  path: string,
  ctx: RequirementContext,
): void {
  for (const key of Object.keys(o))
    if (!known.includes(key))
      bad(
        ctx,
        `${path}.${JSON.stringify(key)}`,
        `unknown field ${JSON.stringify(key)} (containers/image rejects the policy)`,
      );
}

/** Reads one requirement at `path`, e.g. `transports.docker["quay.io"][0]`. */
export function readRequirement(
  raw: unknown,
  path: string,
  ctx: RequirementContext,
): Requirement | undefined {
  if (!isRecord(raw)) return void bad(ctx, path, 'a requirement must be an object');
  switch (raw.type) {
    case 'insecureAcceptAnything':
    case 'reject':
      strictKeys(raw, ['type'], path, ctx);
      return raw.type === 'reject' ? { kind: 'reject', why: 'reject' } : { kind: 'accept' };
    case 'signedBaseLayer':
      strictKeys(raw, ['type', 'baseLayerIdentity'], path, ctx);
      return {
        kind: 'reject',
        why: 'signedBaseLayer is not implemented by containers/image and rejects every image',
      };
    case 'signedBy':
      strictKeys(raw, SIGNED_BY, path, ctx);
      return signedBy(raw, path, ctx);
    case 'sigstoreSigned':
      strictKeys(raw, SIGSTORE, path, ctx);
      return sigstoreSigned(raw, path, ctx);
    default:
      return void bad(ctx, `${path}.type`, `unknown requirement type ${JSON.stringify(raw.type)}`);
  }
}

/** Reads `signedIdentity` (absent: matchRepoDigestOrExact, containers/image's default). */
export function readSignedIdentity(
  raw: unknown,
  path: string,
  ctx: RequirementContext,
): SignedIdentity | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) return void bad(ctx, path, 'signedIdentity must be an object');
  const type = raw.type as SignedIdentityType;
  const fields = typeof type === 'string' ? IDENTITY_FIELDS[type] : undefined;
  if (fields === undefined || !Object.hasOwn(IDENTITY_FIELDS, type))
    return void bad(ctx, `${path}.type`, `unknown signedIdentity type ${JSON.stringify(raw.type)}`);
  strictKeys(raw, ['type', ...fields], path, ctx);
  const out: Record<string, string> = { type };
  for (const f of fields) {
    if (typeof raw[f] !== 'string' || raw[f] === '') bad(ctx, `${path}.${f}`, `${type} needs a string ${f}`);
    else out[f] = raw[f];
  }
  return out as unknown as SignedIdentity;
}

// keySources reads the exactly-one-of key fields into their bytes, refusing what cannot be read.
function keySources(
  raw: Record<string, unknown>,
  fields: readonly string[],
  path: string,
  ctx: RequirementContext,
): Buffer[] | undefined {
  const present = fields.filter((f) => raw[f] !== undefined);
  if (present.length !== 1) {
    bad(ctx, path, `exactly one of ${fields.join(', ')} must be present (found ${present.length})`);
    return undefined;
  }
  const field = present[0] as string;
  const value = raw[field];
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  if (list.length === 0 || !list.every((v) => typeof v === 'string' && v !== ''))
    return void bad(ctx, `${path}.${field}`, 'must be a non-empty string (or list of strings)');
  if (ctx.shapeOnly) return [];
  const out: Buffer[] = [];
  for (const v of list as string[]) {
    if (field.endsWith('Data') || field.endsWith('Datas')) {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v)) return void bad(ctx, `${path}.${field}`, 'must be base64');
      out.push(Buffer.from(v, 'base64'));
      continue;
    }
    const read = ctx.readKey(v);
    if (Buffer.isBuffer(read)) out.push(read);
    else ctx.rec.refuse(`${path}.${field}`, `${v}: ${read.error}`);
  }
  return out;
}

// signedBy maps GPG simple signing to a simpleSigning authority.
function signedBy(
  raw: Record<string, unknown>,
  path: string,
  ctx: RequirementContext,
): Requirement | undefined {
  const keyType = raw.keyType ?? 'GPGKeys';
  const identity = readSignedIdentity(raw.signedIdentity, `${path}.signedIdentity`, ctx);
  const keys = keySources(raw, ['keyPath', 'keyPaths', 'keyData'], path, ctx);
  if (typeof keyType === 'string' && UNIMPLEMENTED_KEY_TYPES.includes(keyType))
    return {
      kind: 'reject',
      why: `keyType ${keyType} is not implemented by containers/image and rejects every image`,
    };
  if (keyType !== 'GPGKeys')
    return void bad(ctx, `${path}.keyType`, `unknown keyType ${JSON.stringify(keyType)}`);
  if (keys === undefined || ctx.shapeOnly) return undefined;
  if (ctx.lookaside === undefined) {
    ctx.rec.refuse(
      path,
      'signedBy signatures are read from a lookaside store that registries.d names, not policy.json; pass --lookaside URL',
    );
    return undefined;
  }
  const armored = keys.map((k) =>
    k.toString('latin1').includes('-----BEGIN PGP') ? k.toString('utf8') : armorPublicKeys(k),
  );
  const errors: FieldError[] = [];
  if (armored.length > 0 && parseArmoredGpgKeys(armored.join('\n'), path, errors) === undefined) {
    ctx.rec.refuse(path, `the key is not an OpenPGP public key: ${errors[0]?.message ?? ''}`);
    return undefined;
  }
  return {
    kind: 'verify',
    authority: {
      name: 'signed-by',
      simpleSigning: {
        keys: [{ data: armored.join('\n') }],
        lookaside: ctx.lookaside,
        ...(identity ? { signedIdentity: identity } : {}),
      },
    },
  };
}

// sigstoreSigned maps a sigstore key or Fulcio requirement to a cosign authority; PKI roots are refused.
function sigstoreSigned(
  raw: Record<string, unknown>,
  path: string,
  ctx: RequirementContext,
): Requirement | undefined {
  const identity = readSignedIdentity(raw.signedIdentity, `${path}.signedIdentity`, ctx);
  if (raw.pki !== undefined && !ctx.shapeOnly)
    ctx.rec.refuse(
      `${path}.pki`,
      'pki roots given as bare CA files are not converted: write a cosign keyless authority with a trustedRoot by hand (docs/cosign.md)',
    );
  const keyFields = ['keyPath', 'keyPaths', 'keyData', 'keyDatas', 'fulcio', 'pki'];
  const withKey = keyFields.filter((f) => raw[f] !== undefined);
  if (withKey.length !== 1)
    return void bad(ctx, path, `exactly one of ${keyFields.join(', ')} must be present`);
  if (withKey[0] === 'pki') return undefined;
  const rekorFields = [
    'rekorPublicKeyPath',
    'rekorPublicKeyPaths',
    'rekorPublicKeyData',
    'rekorPublicKeyDatas',
  ];
  const hasRekor = rekorFields.some((f) => raw[f] !== undefined);
  if (withKey[0] === 'fulcio' && !hasRekor)
    return void bad(ctx, path, 'fulcio needs a rekorPublicKey (containers/image refuses the policy)');
  const rekor = hasRekor ? keySources(raw, rekorFields, path, ctx) : [];
  const cosign =
    withKey[0] === 'fulcio'
      ? fulcio(raw.fulcio, rekor, `${path}.fulcio`, ctx)
      : keyAuthority(keySources(raw, keyFields.slice(0, 4), path, ctx), rekor, ctx);
  if (cosign === undefined) return undefined;
  // containers/image always compares the docker-reference; absent, its rule is matchRepoDigestOrExact.
  const signedIdentity = identity ?? { type: 'matchRepoDigestOrExact' };
  ctx.rec.semantics(`${path}.signedIdentity`, signedIdentityStricter(signedIdentity.type));
  if (TAGGED_IDENTITY.has(signedIdentity.type))
    ctx.rec.note(`${path}.signedIdentity`, cosignNeverMatches(signedIdentity.type));
  return { kind: 'verify', authority: { name: 'sigstore-signed', cosign: { ...cosign, signedIdentity } } };
}

// keyAuthority is a cosign key authority over the policy's keys, with its Rekor keys when it names any.
function keyAuthority(
  keys: Buffer[] | undefined,
  rekor: Buffer[] | undefined,
  ctx: RequirementContext,
): CosignAuthority | undefined {
  if (keys === undefined || rekor === undefined || ctx.shapeOnly) return undefined;
  const pem = keys.map((k) => k.toString('utf8').trim()).join('\n');
  const cosign: CosignAuthority = { key: { data: `${pem}\n` } };
  if (rekor.length > 0) cosign.tlog = { required: true, rekorKeys: rekor.map((k) => k.toString('utf8')) };
  return cosign;
}

// fulcio reads `fulcio: {caPath|caData, oidcIssuer, subjectEmail}` into a keyless authority.
function fulcio(
  raw: unknown,
  rekor: Buffer[] | undefined,
  path: string,
  ctx: RequirementContext,
): CosignAuthority | undefined {
  if (!isRecord(raw)) return void bad(ctx, path, 'fulcio must be an object');
  strictKeys(raw, ['caPath', 'caData', 'oidcIssuer', 'subjectEmail'], path, ctx);
  for (const f of ['oidcIssuer', 'subjectEmail'])
    if (typeof raw[f] !== 'string' || raw[f] === '') bad(ctx, `${path}.${f}`, `fulcio needs a string ${f}`);
  const ca = keySources(raw, ['caPath', 'caData'], path, ctx);
  if (ca?.length !== 1 || rekor === undefined || ctx.shapeOnly) return undefined;
  const made = fulcioAuthority({
    ca: ca[0] as Buffer,
    oidcIssuer: String(raw.oidcIssuer),
    subjectEmail: String(raw.subjectEmail),
    rekorKeys: rekor,
  });
  if ('refused' in made) return void ctx.rec.refuse(path, made.refused);
  ctx.rec.semantics(
    path,
    "stricter: a certificate that carries SCTs (the public-good Fulcio embeds them) is denied, because Portcullis verifies every SCT against the trusted root's ctlogs and policy.json names no CT log (containers/image ignores SCTs): add the CT log to the trustedRoot's ctlogs by hand. Portcullis reads only the certificate authorities in fulcio's CA file: a certificate issued by an intermediate that only the signature's chain annotation carries is denied (containers/image accepts it)",
  );
  return made;
}

/** signedIdentity types that refuse a docker-reference naming a repository only (policy_reference_match.go). */
const TAGGED_IDENTITY: ReadonlySet<SignedIdentityType> = new Set([
  'matchRepoDigestOrExact',
  'matchExact',
  'exactReference',
]);

// cosignNeverMatches warns that `cosign sign` (which signs the repository, no tag) can never satisfy `type`.
function cosignNeverMatches(type: SignedIdentityType): string {
  return (
    `${type} refuses a signature whose docker-reference names a repository only, and \`cosign sign\` writes ` +
    'exactly that (unless --sign-container-identity names a tag): neither containers/image nor the converted ' +
    'policy accepts such signatures. If yours come from cosign, use matchRepository or exactRepository ' +
    '(containers-policy.json(5))'
  );
}

// signedIdentityStricter says what signedIdentity on a cosign authority refuses that containers/image never sees.
function signedIdentityStricter(type: SignedIdentityType): string {
  return `mapped to the cosign authority's signedIdentity (${type}), which compares the signed docker-reference as containers/image does; only cosign v2 legacy (.sig) signatures carry one, so cosign v3 bundles by the same signer are not accepted under it (containers/image does not read them either)`;
}
