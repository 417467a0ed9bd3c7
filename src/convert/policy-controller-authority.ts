// One policy-controller authority → one Portcullis authority, or a refusal. See docs/migration.md#from-sigstore-policy-controller.
import type { Authority, CosignAuthority, KeylessIdentity } from '../policy/crd/crd.types';
import type { FieldReader } from './peer-input';
import type { ConversionRecorder } from './report';
import { refuseUnsupportedKeyForms } from './cosign-key-input';

/** Where policy-controller runs and reads `secretRef` Secrets (its documented install namespace). */
export const POLICY_CONTROLLER_NAMESPACE = 'cosign-system';
const PUBLIC_FULCIO = ['https://fulcio.sigstore.dev'];
const PUBLIC_REKOR = ['https://rekor.sigstore.dev'];

/** cosign's short predicate types (`cosign attest --type`) and the in-toto URIs they stand for. */
export const PREDICATE_TYPES: Readonly<Record<string, string>> = {
  custom: 'https://cosign.sigstore.dev/attestation/v1',
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  link: 'https://in-toto.io/Link/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
};

/** What the policy needs to know of an authority beyond the authority itself. */
export interface PcAuthorityResult {
  readonly authority?: Authority;
  /** `static: {action: fail}`: never passes. */
  readonly staticFail?: boolean;
  readonly pullSecrets: readonly string[];
}

// convertPcAuthority maps one entry of spec.authorities; `name` is already unique within the policy.
export function convertPcAuthority(
  a: FieldReader,
  name: string,
  rec: ConversionRecorder,
  policy: string,
): PcAuthorityResult {
  a.take('name');
  const format = a.str('signatureFormat');
  if (format !== undefined)
    rec.semantics(
      a.at('signatureFormat'),
      `"${format}": Portcullis accepts a signature by the same signer in either format (a sigstore bundle or cosign's legacy layout)`,
      policy,
    );
  const pullSecrets: string[] = [];
  const staticBlock = a.obj('static');
  const cosign: CosignAuthority = {};
  const key = a.obj('key');
  const keyless = a.obj('keyless');
  if (key !== undefined) cosign.key = convertKey(key, rec, policy);
  if (keyless !== undefined) cosign.keyless = { identities: convertKeyless(keyless, rec) };
  const ctlog = a.obj('ctlog');
  if (ctlog !== undefined) {
    const url = ctlog.str('url');
    if (ctlog.has('trustRootRef'))
      rec.refuse(ctlog.at('trustRootRef'), trustRootMessage('a TrustRoot for Rekor'));
    ctlog.take('trustRootRef');
    if (url !== undefined && !PUBLIC_REKOR.includes(url.replace(/\/+$/, '')))
      rec.refuse(
        ctlog.at('url'),
        `Rekor at ${url} needs its public key; Portcullis trusts the public-good Rekor (${PUBLIC_REKOR[0]}) unless tlog.rekorKeys is set. Replace ctlog.url with ${PUBLIC_REKOR[0]} or convert and add the log's key by hand`,
      );
    if (url !== undefined || key !== undefined) cosign.tlog = { required: true };
    ctlog.finish();
  } else if (keyless !== undefined) {
    rec.note(
      a.at('ctlog'),
      'absent: policy-controller then requires an entry in the public-good Rekor for keyless signatures; so does Portcullis',
      policy,
    );
  }
  if (a.has('rfc3161timestamp'))
    rec.refuse(a.at('rfc3161timestamp'), trustRootMessage('timestamp authorities'));
  a.take('rfc3161timestamp');
  for (const src of a.list('source')) {
    if (src.has('oci'))
      rec.refuse(
        src.at('oci'),
        "signatures stored in another repository: Portcullis reads signatures from the image's own repository only",
      );
    src.take('oci');
    if (src.has('tagPrefix'))
      rec.refuse(src.at('tagPrefix'), 'a signature tag prefix is not supported by Portcullis');
    src.take('tagPrefix');
    for (const s of src.list('signaturePullSecrets')) {
      const n = s.str('name');
      if (n !== undefined) pullSecrets.push(n);
      s.finish();
    }
    src.finish();
  }
  const attestations = a.list('attestations').map((att, i) => {
    const attName = att.str('name') ?? `attestation-${i}`;
    const type = att.str('predicateType') ?? '';
    const uri = PREDICATE_TYPES[type] ?? type;
    const policyBlock = att.obj('policy');
    if (policyBlock !== undefined) {
      if (isTypeOnlyCue(policyBlock, uri))
        rec.unmapped(
          policyBlock.path,
          `the cue policy only requires predicateType "${uri}", which every attestation of this entry has`,
          policy,
        );
      else
        rec.refuse(
          policyBlock.path,
          'a cue or rego policy over the attestation; Portcullis checks attestations with CEL conditions. Rewrite it as `conditions` by hand',
        );
    }
    att.finish();
    if (uri !== type)
      rec.note(att.at('predicateType'), `"${type}" is cosign's short name for ${uri}`, policy);
    return { name: attName, predicateType: uri };
  });
  if (attestations.length > 0) cosign.attestations = attestations;
  let result: PcAuthorityResult = { pullSecrets };
  if (staticBlock !== undefined) {
    const action = staticBlock.str('action');
    staticBlock.take('message');
    staticBlock.finish();
    if (action === 'fail') result = { staticFail: true, pullSecrets };
    else
      rec.refuse(
        staticBlock.at('action'),
        `"${action ?? ''}": an authority that always passes makes the whole policy pass; Portcullis has no such authority. Leave these images to \`portcullis serve --no-match allow\` or narrow the other policies' globs`,
      );
  } else if (key !== undefined || keyless !== undefined) {
    result = { authority: { name, cosign }, pullSecrets };
  } else {
    rec.refuse(a.path, 'an authority needs key, keyless or static');
  }
  a.finish();
  return result;
}

// convertKey maps `key: {data | secretRef | kms, hashAlgorithm}`.
function convertKey(key: FieldReader, rec: ConversionRecorder, policy: string): CosignAuthority['key'] {
  const data = key.str('data');
  const secret = key.obj('secretRef');
  refuseUnsupportedKeyForms(key, rec, { kms: 'kms', hash: 'hashAlgorithm', exportInto: 'key.data' });
  key.finish();
  if (secret !== undefined) {
    const name = secret.str('name') ?? '';
    secret.finish();
    rec.semantics(
      secret.path,
      `policy-controller reads the only key of Secret ${name} in its own namespace; the output reads key "cosign.pub" of Secret ${POLICY_CONTROLLER_NAMESPACE}/${name}. Fix the namespace or key if yours differ: until the Secret and key exist the policy is not Ready and denies the images it governs`,
      policy,
    );
    return { secretRef: { name, namespace: POLICY_CONTROLLER_NAMESPACE, key: 'cosign.pub' } };
  }
  return data === undefined ? {} : { data };
}

// convertKeyless maps `keyless: {url, identities, ca-cert, trustRootRef, insecureIgnoreSCT}`.
function convertKeyless(k: FieldReader, rec: ConversionRecorder): KeylessIdentity[] {
  const url = k.str('url');
  if (url !== undefined && !PUBLIC_FULCIO.includes(url.replace(/\/+$/, '')))
    rec.refuse(
      k.at('url'),
      `Fulcio at ${url}: Portcullis verifies keyless certificates against a sigstore TrustedRoot; put that instance's trusted_root.json in a ConfigMap, set keyless.trustedRoot.configMapRef by hand, and convert the policy with the public Fulcio URL`,
    );
  for (const field of ['ca-cert', 'trustRootRef']) {
    if (k.has(field)) rec.refuse(k.at(field), trustRootMessage('custom Fulcio roots'));
    k.take(field);
  }
  if (k.bool('insecureIgnoreSCT') === true)
    rec.refuse(
      k.at('insecureIgnoreSCT'),
      "Portcullis always checks the certificate's SCT; converting would deny images policy-controller admits",
    );
  const ids = k.list('identities').map((id) => {
    const out: KeylessIdentity = {};
    const issuer = id.str('issuer');
    const subject = id.str('subject');
    const issuerRe = id.str('issuerRegExp');
    const subjectRe = id.str('subjectRegExp');
    if (issuer !== undefined) out.issuer = issuer;
    if (subject !== undefined) out.subject = subject;
    // cosign matches these regular expressions unanchored; Portcullis anchors them, so allow anything around.
    if (issuerRe !== undefined) out.issuerRegExp = unanchored(issuerRe);
    if (subjectRe !== undefined) out.subjectRegExp = unanchored(subjectRe);
    if (out.issuer === undefined && out.issuerRegExp === undefined) out.issuerRegExp = '.*';
    if (out.subject === undefined && out.subjectRegExp === undefined) out.subjectRegExp = '.*';
    id.finish();
    return out;
  });
  k.finish();
  if (ids.length === 0)
    rec.refuse(
      k.at('identities'),
      'keyless without identities: Portcullis needs at least one issuer/subject pair',
    );
  return ids;
}

// unanchored turns cosign's search semantics into Portcullis's whole-value match.
export function unanchored(re: string): string {
  return `.*(?:${re}).*`;
}

// trustRootMessage explains why a TrustRoot reference cannot be converted.
function trustRootMessage(what: string): string {
  return `${what} come from a policy-controller TrustRoot, which the converter cannot read; export it as a sigstore trusted_root.json into a ConfigMap and write keyless.trustedRoot.configMapRef by hand`;
}

// isTypeOnlyCue recognises `{type: cue, data: 'predicateType: "<uri>"'}`, which restates the predicate type.
function isTypeOnlyCue(p: FieldReader, uri: string): boolean {
  const type = p.str('type');
  const data = p.str('data');
  const rest = Object.keys(p.value).filter((k) => k !== 'type' && k !== 'data');
  for (const k of rest) p.take(k);
  const only = /^\s*predicateType:\s*"([^"]*)"\s*$/.exec(data ?? '');
  return type === 'cue' && rest.length === 0 && only !== null && only[1] === uri;
}
