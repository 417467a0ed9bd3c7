import type {
  CompiledDistinguishedName,
  CompiledNotationAuthority,
} from '../../policy/compile/compiled.types';
import type { VerifyErrorCode } from '../errors';
import type { ParsedCertificate } from './certificate';
import type { SigningScheme } from './media-types';

/**
 * Notation's authenticity check: some certificate of the chain must be one of the trust store's
 * certificates for the signing scheme (`ca` for notary.x509, `signingAuthority` for the other), and the
 * signing certificate's subject must match a trusted identity. Returns what failed, or undefined.
 */
export function describeAuthenticityProblem(
  chain: readonly ParsedCertificate[],
  scheme: SigningScheme,
  authority: CompiledNotationAuthority,
): { code: VerifyErrorCode; reason: string } | undefined {
  const store = scheme === 'notary.x509' ? 'ca' : 'signingAuthority';
  const anchors = authority.trustStore[store];
  const anchored = chain.some((c) => anchors.some((a) => a.der.equals(c.der)));
  if (!anchored) {
    const root = chain[chain.length - 1]?.subjectText ?? '';
    const reason =
      anchors.length === 0
        ? `the signature uses scheme ${scheme}, but the authority's trustStore.${store} is empty`
        : `the certificate chain (root "${root}") contains none of the ${anchors.length} certificate(s) of trustStore.${store}`;
    return { code: 'VERIFY_UNTRUSTED_SIGNER', reason };
  }
  const leaf = chain[0];
  if (leaf === undefined || authority.trustedIdentities === 'any') return undefined;
  if (authority.trustedIdentities.some((id) => matchesIdentity(leaf, id))) return undefined;
  const wanted = authority.trustedIdentities.map((id) => `"${id.text}"`).join(', ');
  return {
    code: 'VERIFY_IDENTITY_MISMATCH',
    reason: `the signing certificate subject "${leaf.subjectText}" matches none of the trusted identities ${wanted}`,
  };
}

/** Whether every attribute of `identity` appears, with the same value, in the certificate's subject. */
export function matchesIdentity(cert: ParsedCertificate, identity: CompiledDistinguishedName): boolean {
  return identity.attributes.every((want) =>
    cert.subject.some((have) => have.type === want.type && have.value === want.value),
  );
}
