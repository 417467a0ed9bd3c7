// Kyverno attestor entries (keys, keyless, notary) → Portcullis authorities, and attestation conditions → CEL.
import type { Authority, CosignAuthority, CosignAttestation, KeylessIdentity } from '../policy/crd/crd.types';
import type { FieldReader } from './peer-input';
import type { ConversionRecorder } from './report';
import { unanchored } from './policy-controller-authority';
import { refuseUnsupportedKeyForms } from './cosign-key-input';

const PUBLIC_REKOR = 'https://rekor.sigstore.dev';
const K8S_SECRET = /^k8s:\/\/([a-z0-9.-]+)\/([a-z0-9.-]+)$/;
/** The Secret key cosign (and so Kyverno) reads a public key from. */
const COSIGN_PUB = 'cosign.pub';

/** One attestor set: its entries as authorities and how many must pass. */
export interface AttestorSet {
  readonly authorities: Authority[];
  readonly threshold: number;
}

// convertAttestorSets maps `attestors: [{count, entries}]`; every set must pass (Kyverno ANDs them).
export function convertAttestorSets(
  sets: FieldReader[],
  rec: ConversionRecorder,
  attestation: CosignAttestation | undefined,
): AttestorSet[] {
  return sets.map((set) => {
    const count = set.int('count');
    const entries = set.list('entries');
    const authorities: Authority[] = [];
    entries.forEach((e, i) => {
      const a = convertEntry(e, `entry-${i}`, rec, attestation);
      if (a !== undefined) authorities.push(a);
    });
    set.finish();
    if (entries.length === 0) rec.refuse(set.at('entries'), 'an attestor set without entries');
    if (count !== undefined && count > entries.length)
      rec.refuse(
        set.at('count'),
        `count ${count} exceeds the ${entries.length} entries; Kyverno can never pass it`,
      );
    if (count === 0)
      rec.refuse(set.at('count'), 'count 0: Kyverno then requires every entry; state the number instead');
    return { authorities, threshold: count === undefined || count === 0 ? entries.length : count };
  });
}

// convertEntry maps one attestor entry.
function convertEntry(
  e: FieldReader,
  name: string,
  rec: ConversionRecorder,
  att: CosignAttestation | undefined,
): Authority | undefined {
  for (const field of ['certificates', 'attestor', 'annotations', 'repository']) {
    if (e.has(field)) rec.refuse(e.at(field), refusal(field));
    e.take(field);
  }
  const keys = e.obj('keys');
  const keyless = e.obj('keyless');
  const notary = e.obj('notary');
  e.finish();
  const cosign: CosignAuthority = {};
  if (keys !== undefined) Object.assign(cosign, convertKeys(keys, rec));
  else if (keyless !== undefined) Object.assign(cosign, convertKeyless(keyless, rec));
  else if (notary !== undefined) {
    if (att !== undefined) rec.refuse(notary.path, 'Notary attestations are not supported by Portcullis');
    const certs = notary.str('certs') ?? '';
    const tsa = notary.str('tsaCerts');
    notary.finish();
    rec.semantics(
      notary.path,
      'Kyverno verifies Notary signatures against these certificates with any identity; the notation authority trusts "*" at level strict',
    );
    return {
      name,
      notation: {
        trustStore: { ca: splitPem(certs), ...(tsa === undefined ? {} : { tsa: splitPem(tsa) }) },
        trustedIdentities: ['*'],
      },
    };
  } else return undefined;
  if (att !== undefined) cosign.attestations = [att];
  return { name, cosign };
}

// convertKeys maps `keys: {publicKeys | secret | kms, signatureAlgorithm, rekor, ctlog}`.
function convertKeys(k: FieldReader, rec: ConversionRecorder): CosignAuthority {
  const out: CosignAuthority = {};
  const pem = k.str('publicKeys');
  const secret = k.obj('secret');
  refuseUnsupportedKeyForms(k, rec, { kms: 'kms', hash: 'signatureAlgorithm', exportInto: 'publicKeys' });
  if (secret !== undefined) {
    const name = secret.str('name') ?? '';
    const namespace = secret.str('namespace') ?? '';
    secret.finish();
    out.key = { secretRef: { name, namespace, key: COSIGN_PUB } };
  } else if (pem !== undefined) {
    const k8s = K8S_SECRET.exec(pem.trim());
    if (k8s !== null)
      out.key = { secretRef: { name: k8s[2] ?? '', namespace: k8s[1] ?? '', key: COSIGN_PUB } };
    else if (pem.includes('-----BEGIN')) out.key = { data: pem };
    else
      rec.refuse(
        k.at('publicKeys'),
        'only PEM keys and k8s://NAMESPACE/SECRET references are converted (no KMS URIs or variables)',
      );
  }
  const tlog = convertRekor(k.obj('rekor'), rec, false);
  if (tlog !== undefined) out.tlog = tlog;
  convertCtlog(k.obj('ctlog'), rec, false);
  k.finish();
  return out;
}

// convertRekor maps `rekor: {url, pubkey, ignoreTlog}`; Kyverno demands a Rekor entry unless ignoreTlog.
function convertRekor(
  r: FieldReader | undefined,
  rec: ConversionRecorder,
  keyless: boolean,
): CosignAuthority['tlog'] {
  if (r === undefined) return { required: true };
  const url = r.str('url');
  const pubkey = r.str('pubkey');
  const ignore = r.bool('ignoreTlog') === true;
  r.finish();
  if (ignore) return keyless ? { required: false } : undefined;
  if (pubkey !== undefined) return { required: true, rekorKeys: [pubkey] };
  if (url !== undefined && url.replace(/\/+$/, '') !== PUBLIC_REKOR)
    rec.refuse(r.at('url'), `Rekor at ${url} without rekor.pubkey: Portcullis needs the log's public key`);
  return { required: true };
}

// convertCtlog reads `ctlog: {ignoreSCT, ignoreTlog, pubkey}`. Only a certificate has an SCT, so ignoreSCT is
// refused for keyless (Portcullis would deny what Kyverno admits) and means nothing for a key.
function convertCtlog(ctlog: FieldReader | undefined, rec: ConversionRecorder, keyless: boolean): void {
  if (ctlog === undefined) return;
  if (keyless && ctlog.bool('ignoreSCT') === true)
    rec.refuse(
      ctlog.at('ignoreSCT'),
      "Portcullis always checks the certificate's SCT; converting would deny images Kyverno admits",
    );
  ctlog.take('ignoreSCT');
  ctlog.take('ignoreTlog');
  if (ctlog.has('pubkey'))
    rec.refuse(ctlog.at('pubkey'), 'a custom CT log key is not supported by Portcullis');
  ctlog.take('pubkey');
  ctlog.finish();
}

// convertKeyless maps `keyless: {issuer, subject, issuerRegExp, subjectRegExp, roots, rekor, ctlog, additionalExtensions}`.
function convertKeyless(k: FieldReader, rec: ConversionRecorder): CosignAuthority {
  const id: KeylessIdentity = {};
  for (const f of ['issuer', 'subject'] as const) {
    const v = k.str(f);
    if (v?.includes('*'))
      rec.refuse(k.at(f), `"${v}" holds "*", which Kyverno versions read differently; use ${f}RegExp`);
    if (v !== undefined) id[f] = v;
  }
  const issuerRe = k.str('issuerRegExp');
  const subjectRe = k.str('subjectRegExp');
  if (issuerRe !== undefined) id.issuerRegExp = unanchored(issuerRe);
  if (subjectRe !== undefined) id.subjectRegExp = unanchored(subjectRe);
  if (id.issuer === undefined && id.issuerRegExp === undefined) id.issuerRegExp = '.*';
  if (id.subject === undefined && id.subjectRegExp === undefined) id.subjectRegExp = '.*';
  for (const field of ['roots', 'additionalExtensions']) {
    if (k.has(field)) rec.refuse(k.at(field), refusal(field));
    k.take(field);
  }
  const tlog = convertRekor(k.obj('rekor'), rec, true);
  convertCtlog(k.obj('ctlog'), rec, true);
  k.finish();
  return { keyless: { identities: [id] }, ...(tlog === undefined || tlog.required === true ? {} : { tlog }) };
}

const SIMPLE_PATH = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}$/;
const OPERATORS: Readonly<Record<string, string>> = {
  Equals: '==',
  Equal: '==',
  NotEquals: '!=',
  NotEqual: '!=',
};

// convertConditions turns `conditions: [{all, any}]` into CEL where each is `{{ path }}` compared to a constant.
export function convertConditions(blocks: FieldReader[], rec: ConversionRecorder): string[] {
  return blocks.map((block) => {
    const parts: string[] = [];
    for (const [key, join] of [
      ['all', ' && '],
      ['any', ' || '],
    ] as const) {
      const conds = block.list(key).map((c) => convertCondition(c, rec));
      if (conds.length > 0) parts.push(conds.length === 1 ? (conds[0] ?? '') : `(${conds.join(join)})`);
    }
    block.finish();
    return parts.join(' && ');
  });
}

// convertCondition maps one `{key, operator, value}`; anything but a plain path compared to a constant is refused.
function convertCondition(c: FieldReader, rec: ConversionRecorder): string {
  const key = c.take('key');
  const operator = c.str('operator') ?? '';
  const value = c.take('value');
  c.take('message');
  c.finish();
  const path = typeof key === 'string' ? SIMPLE_PATH.exec(key.trim()) : null;
  const op = OPERATORS[operator];
  const literal = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  if (path === null || op === undefined || !literal) {
    rec.refuse(
      c.path,
      'only conditions of the form {key: "{{ a.b }}", operator: Equals|NotEquals, value: <constant>} are translated to CEL; JMESPath functions and other operators are not',
    );
    return 'false';
  }
  return `predicate.${path[1] ?? ''} ${op} ${JSON.stringify(value)}`;
}

// splitPem splits concatenated PEM certificates.
function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

// refusal explains why a Kyverno attestor field cannot be converted.
function refusal(field: string): string {
  const reasons: Readonly<Record<string, string>> = {
    certificates:
      'verification against a given signing certificate (cosign --certificate) is not supported by Portcullis',
    attestor: 'nested attestors are not supported by Portcullis',
    annotations: 'signature annotations narrow which signatures count; Portcullis cannot check them',
    repository:
      "signatures stored in another repository: Portcullis reads them from the image's own repository only",
    roots: 'custom Fulcio roots need a sigstore TrustedRoot; set keyless.trustedRoot by hand',
    additionalExtensions: 'map these certificate extensions to keyless.identities[].extensions by hand',
  };
  return reasons[field] ?? 'not supported by Portcullis';
}
