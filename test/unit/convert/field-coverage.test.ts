// Every converter accounts for every field of a maximal input: each leaf is mapped one to one (listed here, and
// checked field by field in the converter's own tests), reported as a finding, or refused. A field a converter
// takes and then ignores fails here.
import { convertConnaisseur } from '../../../src/convert/connaisseur';
import { policiesFromKyverno } from '../../../src/convert/kyverno';
import { policiesFromPolicyController } from '../../../src/convert/policy-controller';
import { convertPortieris } from '../../../src/convert/portieris';
import type { Conversion } from '../../../src/convert/report';
import { parse } from 'yaml';
import { documentLeaves, leafPaths, unaccounted } from './leaf-coverage';
import * as inputs from './maximal-inputs';

// kindName prefixes a document's leaves as the Kubernetes-style converters name fields: `Kind/name `.
const kindName = (doc: Record<string, unknown>): string => {
  const meta = (doc.metadata ?? {}) as Record<string, unknown>;
  const ns = doc.kind === 'ImagePolicy' && typeof meta.namespace === 'string' ? `${meta.namespace}/` : '';
  return `${String(doc.kind)}/${ns}${String(meta.name)} `;
};
/** Identity and status of a peer object: they name it, they do not decide admission. */
const OBJECT = ['* apiVersion', '* kind', '* metadata', '* status'];

// check asserts that nothing is unaccounted for, and whether the input was refused.
function check(leaves: string[], run: () => Conversion, mapped: readonly string[], refused: boolean): void {
  const kinds = [...new Set(leaves.map((l) => l.slice(0, l.indexOf(' ') + 1)).filter((k) => k !== ''))];
  const expanded = mapped.flatMap((m) => (m.startsWith('* ') ? kinds.map((k) => k + m.slice(2)) : [m]));
  expect(unaccounted(leaves, run, expanded)).toEqual({ uncovered: [], refused });
}

describe('every field of a maximal input is mapped, reported or refused', () => {
  it.each([
    ['accepted', inputs.PORTIERIS_ACCEPTED, false],
    ['refused', inputs.PORTIERIS_REFUSED, true],
  ] as const)('Portieris (%s)', (_, text, refused) => {
    const options = {
      noMatch: 'allow' as const,
      namespace: 'default',
      rootKeys: ['KEY'],
      signers: new Map([['s1', 'signer1']]),
      acceptUnpinnedSigners: true,
    };
    check(
      documentLeaves(text, kindName),
      () => convertPortieris(text, options),
      [
        ...OBJECT,
        '* spec.repositories[*].name',
        '* spec.repositories[*].policy.trust.enabled',
        '* spec.repositories[*].policy.trust.trustServer',
        '* spec.repositories[*].policy.trust.signerSecrets[*].name',
        '* spec.repositories[*].policy.simple.storeURL$',
        ...['type', 'keySecret', 'keySecretNamespace', 'signedIdentity.type']
          .concat(['signedIdentity.prefix', 'signedIdentity.signedPrefix'])
          .map((f) => `* spec.repositories[*].policy.simple.requirements[*].${f}$`),
      ],
      refused,
    );
  });

  it.each([
    ['accepted', inputs.CONNAISSEUR_ACCEPTED, false],
    ['refused', inputs.CONNAISSEUR_REFUSED, true],
  ] as const)('Connaisseur (%s)', (_, text, refused) => {
    const options = { noMatch: 'deny' as const, secretNamespace: 'connaisseur' };
    const values: unknown = parse(text);
    check(
      leafPaths(values, ''),
      () => convertConnaisseur(text, options),
      [
        'application.validators[*].name',
        'application.validators[*].type',
        'application.validators[*].approve',
        'application.validators[*].host$',
        'application.validators[*].host.rekorPubkey',
        'application.validators[*].trustRoots[*].name',
        'application.validators[*].trustRoots[*].key',
        'application.validators[*].trustRoots[*].keyless',
        'application.policy[*].pattern',
        'application.policy[*].validator',
        'application.policy[*].with.trustRoot',
        'application.policy[*].with.threshold',
        'application.policy[*].with.required',
        'application.policy[*].with.delegations',
        'application.policy[*].with.verifyInTransparencyLog',
        'application.features.namespacedValidation.enabled',
        'application.features.namespacedValidation.mode',
      ],
      refused,
    );
  });

  it.each([
    [
      'Kyverno',
      inputs.KYVERNO_ACCEPTED,
      policiesFromKyverno,
      [
        '* spec.validationFailureAction',
        '* spec.rules[*].name',
        '* spec.rules[*].match.any[*].resources',
        '* spec.rules[*].exclude.any[*].resources.namespaces',
        '* spec.rules[*].verifyImages[*].imageReferences',
        '* spec.rules[*].verifyImages[*].failureAction',
        '* spec.rules[*].verifyImages[*].verifyDigest',
        '* spec.rules[*].verifyImages[*].imageRegistryCredentials.secrets',
        '* spec.rules[*].verifyImages[*].attestors[*].entries[*].keys.signatureAlgorithm',
        '* spec.rules[*].verifyImages[*].attestors[*].count',
        '* spec.rules[*].verifyImages[*].attestors[*].entries[*].keys.publicKeys',
        '* spec.rules[*].verifyImages[*].attestors[*].entries[*].keys.rekor',
        '* spec.rules[*].verifyImages[*].attestors[*].entries[*].keyless',
        '* spec.rules[*].verifyImages[*].attestations[*]',
      ],
    ],
    [
      'sigstore policy-controller',
      inputs.POLICY_CONTROLLER_ACCEPTED,
      policiesFromPolicyController,
      [
        '* spec.mode',
        '* spec.images[*].glob',
        '* spec.authorities[*].name',
        '* spec.authorities[*].key.data',
        '* spec.authorities[*].key.hashAlgorithm',
        '* spec.authorities[*].ctlog.url',
        '* spec.authorities[*].attestations[*]',
        '* spec.authorities[*].keyless',
      ],
    ],
  ] as const)('%s (accepted)', (_, text, convert, mapped) => {
    check(documentLeaves(text, kindName), () => convert(text), [...OBJECT, ...mapped], false);
  });
});
