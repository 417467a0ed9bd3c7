// One Portieris `repositories[]` entry (portieris.cloud.ibm.com/v1) as a most-specific rule: its name as a glob, its
// `policy` as an outcome. Every field is accounted for; a field outside Portieris's CRD schema is reported, since the
// API server prunes it and Portieris never sees it.
import { FieldReader } from './peer-input';
import { patternToGlob } from './peer-pattern';
import type { NoMatchSetting, PeerRule, RuleOutcome } from './most-specific';
import { PRUNED, simpleOutcome, type SimpleScope } from './portieris-simple';
import { convertInvalid, type ConversionRecorder } from './report';

const FROM = 'Portieris';
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
  /**
   * `--accept-unpinned-signers`: convert signerSecrets although Portcullis cannot pin the signer's public key
   * (reported as semantics). Without it, signerSecrets are refused.
   */
  readonly acceptUnpinnedSigners?: boolean;
}

// reportPruned reports every field of an object that no one took: the API server drops it before Portieris reads it.
export function reportPruned(reader: FieldReader, rec: ConversionRecorder): void {
  for (const key of reader.untaken()) rec.unmapped(reader.at(key), PRUNED);
}

/** Converts one `repositories[]` entry: its name to a glob and rank, its policy to an outcome. */
export function readRepository(
  r: FieldReader,
  options: PortierisOptions,
  scope: SimpleScope,
  rec: ConversionRecorder,
): PeerRule {
  const pattern = r.str('name');
  if (pattern === undefined || pattern === '') throw convertInvalid(FROM, `${r.path} needs a name`);
  const wild = pattern.includes('*');
  const rank = wild ? [0, pattern.length - (pattern.match(/\*/g) ?? []).length] : [1, pattern.length];
  let globs: string[] = [];
  if (pattern.includes('@') || pattern.slice(pattern.lastIndexOf('/') + 1).includes(':'))
    rec.refuse(r.at('name'), `"${pattern}" names a tag or digest; Portcullis globs match image names only`);
  else {
    const glob = patternToGlob(pattern);
    if (typeof glob === 'string') globs = [glob];
    else rec.refuse(r.at('name'), glob.problem);
    if (typeof glob === 'string' && glob.startsWith('docker.io/')) reportSpelling(r, pattern, glob, rec);
  }
  // `policy: null` (the CRD allows it) is an empty policy: admit without checks.
  const policy = r.obj('policy') ?? new FieldReader({}, r.at('policy'), rec, FROM);
  const outcome = policyOutcome(policy, globs[0] ?? '', options, scope, rec);
  reportPruned(r, rec);
  return { source: r.path, pattern, globs, rank, outcome };
}

// reportSpelling: Portieris matches a pattern against the image as the pod writes it (helpers/image's String()
// is the original text), Portcullis against the normalised name, so Docker Hub images written another way meet
// this rule here but not in Portieris (where they fall to another rule, or are denied when none matches).
function reportSpelling(r: FieldReader, pattern: string, glob: string, rec: ConversionRecorder): void {
  rec.semantics(
    r.at('name'),
    `Portieris compares "${pattern}" with the image reference as written in the pod, so a Docker Hub image ` +
      `written another way (nginx:1, library/nginx:1, docker.io/library/nginx:1) may meet another rule there, or ` +
      `none (denied); Portcullis matches the normalised name, so every spelling of ${glob} meets this rule`,
  );
}

// policyOutcome maps `policy`: empty or trust disabled admits; simple is simpleSigning and trust Notary v1 (both
// must pass, as Portieris runs both); an enabled vulnerability gate refuses.
function policyOutcome(
  p: FieldReader,
  glob: string,
  options: PortierisOptions,
  scope: SimpleScope,
  rec: ConversionRecorder,
): RuleOutcome {
  if (p.bool('mutateImage') !== undefined)
    rec.unmapped(
      p.at('mutateImage'),
      "Portcullis's mutating webhook pins governed images to their digest whatever this says; the decision is the same",
    );
  const before = rec.refusals.length;
  const simple = readSimple(p, scope, rec);
  readVulnerability(p, rec);
  const refused = rec.refusals.length > before;
  const trust = p.obj('trust');
  reportPruned(p, rec);
  let trusted: RuleOutcome | undefined;
  if (trust?.bool('enabled') === true) trusted = trustOutcome(trust, glob, options, rec);
  else if (trust !== undefined) {
    for (const key of ['enabled', 'trustServer', 'signerSecrets'])
      if (trust.has(key)) rec.unmapped(trust.at(key), 'trust is not enabled, so Portieris does not read it');
    for (const key of ['trustServer', 'signerSecrets']) trust.take(key);
    reportPruned(trust, rec);
  }
  // A refused requirement already stops the conversion; an empty verify adds no second, misleading refusal.
  if (refused) return { kind: 'verify', specs: [] };
  if (simple?.kind === 'deny') return simple;
  const specs = [simple, trusted].flatMap((o) => (o?.kind === 'verify' ? o.specs : []));
  return specs.length > 0 ? { kind: 'verify', specs } : { kind: 'allow' };
}

// readSimple maps simple signing with requirements (simpleOutcome); without requirements Portieris reads nothing.
function readSimple(p: FieldReader, scope: SimpleScope, rec: ConversionRecorder): RuleOutcome | undefined {
  const simple = p.obj('simple');
  if (simple === undefined) return undefined;
  const requirements = simple.list('requirements');
  let outcome: RuleOutcome | undefined;
  if (requirements.length > 0) outcome = simpleOutcome(simple, requirements, scope, rec);
  else {
    if (Array.isArray(simple.value.requirements))
      rec.unmapped(
        simple.at('requirements'),
        'simple has no requirements, so Portieris checks no simple signature',
      );
    for (const key of ['storeURL', 'storeSecret'])
      if (simple.take(key) !== undefined)
        rec.unmapped(simple.at(key), 'simple has no requirements, so Portieris checks no simple signature');
  }
  reportPruned(simple, rec);
  return outcome;
}

// readVulnerability refuses an enabled Vulnerability Advisor gate.
function readVulnerability(p: FieldReader, rec: ConversionRecorder): void {
  const vuln = p.obj('vulnerability');
  if (vuln === undefined) return;
  const va = vuln.obj('ICCRVA');
  reportPruned(vuln, rec);
  if (va === undefined) return;
  const enabled = va.bool('enabled') === true;
  const account = va.str('account');
  reportPruned(va, rec);
  if (enabled) {
    rec.refuse(
      vuln.at('ICCRVA'),
      'Portcullis has no vulnerability gate; dropping it would admit images Vulnerability Advisor denies',
    );
    return;
  }
  rec.unmapped(vuln.at('ICCRVA'), 'Vulnerability Advisor is not enabled, so Portieris checks nothing');
  if (account !== undefined) rec.unmapped(va.at('account'), 'only read when the check is enabled');
  return;
}

// trustOutcome maps enabled trust to one notaryV1 authority; signerSecrets only with --accept-unpinned-signers.
function trustOutcome(
  t: FieldReader,
  glob: string,
  options: PortierisOptions,
  rec: ConversionRecorder,
): RuleOutcome {
  const given = t.str('trustServer');
  const server = given ?? (glob.startsWith('docker.io/') ? DOCKER_HUB_NOTARY : undefined);
  if (server === undefined)
    rec.refuse(t.path, 'give trustServer: Portcullis needs one notary server per policy');
  if (options.rootKeys.length === 0)
    rec.refuse(
      t.path,
      'Portieris trusts a repository root key on first use; Portcullis pins it: pass --notary-root-key FILE',
    );
  else
    rec.semantics(
      t.path,
      'Portieris trusts the root key on first use; the policy pins the --notary-root-key keys instead',
    );
  const secrets = t.list('signerSecrets');
  const delegations = secrets.flatMap((s) => signerRole(s, options, rec));
  reportPruned(t, rec);
  rec.semantics(
    t.path,
    'Portcullis takes the tag from targets/releases when targets delegates to it, else from targets. Portieris ' +
      'takes it from either; without signerSecrets it also admits a tag signed only in any delegation role ' +
      '(it then patches the pod to a reference without a digest, which cannot be pulled unless mutateImage is ' +
      'false). The converted policy denies such tags: it is stricter there',
  );
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

// signerRole maps one signerSecrets entry to `targets/<signer>`, refused unless the user accepts the unpinned key.
function signerRole(s: FieldReader, options: PortierisOptions, rec: ConversionRecorder): string[] {
  const secret = s.str('name') ?? '';
  reportPruned(s, rec);
  const signer = options.signers.get(secret);
  if (signer === undefined) {
    rec.refuse(s.path, `pass --signer ${secret}=<signer name> (the Secret's "name")`);
    return [];
  }
  const difference =
    `Portieris pins the public key in Secret "${secret}": the role targets/${signer} must list that key, or ` +
    `the image is denied. A notaryV1 authority cannot pin delegation keys: it requires targets/${signer} to have ` +
    "signed, with whatever keys the pinned root's targets key delegates to it, so it admits a tag signed after " +
    'that key was removed or replaced';
  if (options.acceptUnpinnedSigners === true)
    rec.semantics(s.path, `${difference} (--accept-unpinned-signers)`);
  else
    rec.refuse(
      s.path,
      `${difference}; that admits more than Portieris. Pass --accept-unpinned-signers to convert it anyway`,
    );
  return [`targets/${signer}`];
}
