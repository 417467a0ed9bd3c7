import type {
  Authority,
  BreakGlassSpec,
  ClusterImagePolicySpec,
  ConfigMapKeyRef,
  CosignAttestation,
  CosignAuthority,
  CosignKey,
  CosignKeyless,
  CosignTlog,
  FulcioExtensions,
  ImageGlob,
  ImagePolicySpec,
  KeylessIdentity,
  LabelSelector,
  LabelSelectorRequirement,
  NotaryV1Authority,
  NotationAuthority,
  NotationRevocationUnreachable,
  NotationTrustStore,
  OciVaultAuth,
  OciVaultAuthority,
  OciVaultKey,
  PolicyCondition,
  PolicyStatus,
  PolicySummary,
  RegistryCredentialRef,
  RegistrySpec,
  SecretKeyRef,
  SecretRef,
} from './crd.types';
import { MAX_GLOB_LENGTH, MAX_TAG_LENGTH } from '../../reference/limits';
import { MAX_DNS_LABEL_LENGTH, MAX_DNS_SUBDOMAIN_LENGTH, MAX_LABEL_KEY_LENGTH } from '../limits';
import {
  array,
  boolean,
  enumeration,
  integer,
  object,
  optional,
  string,
  stringMap,
  type PropertySchemas,
  type Schema,
} from './schema-builder';
import { encryption, placement } from './schema-placement';
import { signedIdentitySchema, simpleSigningSchema } from './schema-simple-signing';

/** The single source of the CRD OpenAPI schema and of structural policy validation. Limits below are API. */
export const MAX_IMAGES_PER_POLICY = 64;
/** Tags one `images` or `excludeImages` entry may list. */
export const MAX_TAGS_PER_IMAGE_ENTRY = 64;
export const MAX_AUTHORITIES_PER_POLICY = 16;
export const MAX_AUTHORITY_NAME_LENGTH = 63;
/** Longest PEM field; key text from Secrets is held to the same limit (keys.ts). */
export const MAX_PEM_LENGTH = 65536;
export const MAX_PEM_LIST_ITEMS = 32;
export const MAX_LIST_ITEMS = 32;
export const MAX_TEXT_LENGTH = 2048;
export const MAX_CEL_LENGTH = 4096;
export const MAX_GROUPS = 64;
export const MAX_GROUP_LENGTH = 256;
export const MAX_CREDENTIALS = 16;
export const MAX_SELECTOR_LABELS = 64;
export const MAX_SELECTOR_EXPRESSIONS = 32;
export const MAX_SELECTOR_VALUES = 64;
export const MAX_CONDITIONS = 16;
/** How many image globs or authorities `status.summary` names before it says `+N` (the printer columns). */
export const MAX_SUMMARY_ITEMS = 3;
/** Longest `status.summary` string; longer ones end in `…`. */
export const MAX_SUMMARY_LENGTH = 1024;
/** Longest inline sigstore trusted root (JSON) in a keyless authority. */
export const MAX_TRUSTED_ROOT_LENGTH = 1024 * 1024;

const AUTHORITY_NAME_PATTERN = '^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$';
const SECRET_NAME_PATTERN = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';
const NAMESPACE_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** registry.maxStaleness: a whole number of minutes, hours or days. */
const STALENESS_PATTERN = '^[1-9][0-9]{0,4}[mhd]$';
const MAX_STALENESS_TEXT = 6;
const SECRET_KEY_PATTERN = '^[-._a-zA-Z0-9]+$';
/** The reference grammar's tag (docker/distribution reference.go). */
const TAG_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]*$';

// Descriptions are not written here: they come from the doc comments of crd.types.ts (ADR 0002).
const text = (): Schema<string> => string({ maxLength: MAX_TEXT_LENGTH, minLength: 1 });
const pem = (): Schema<string> => string({ maxLength: MAX_PEM_LENGTH, minLength: 1 });
const pemList = (): Schema<string[]> => array(pem(), { maxItems: MAX_PEM_LIST_ITEMS, minItems: 1 });
const secretName = string({
  maxLength: MAX_DNS_SUBDOMAIN_LENGTH,
  minLength: 1,
  pattern: SECRET_NAME_PATTERN,
});
const namespaceName = string({ maxLength: MAX_DNS_LABEL_LENGTH, minLength: 1, pattern: NAMESPACE_PATTERN });

const secretKeyRef = object<SecretKeyRef>({
  name: secretName,
  namespace: optional(namespaceName),
  key: string({ maxLength: MAX_DNS_SUBDOMAIN_LENGTH, minLength: 1, pattern: SECRET_KEY_PATTERN }),
});

const secretRef = object<SecretRef>({ name: secretName, namespace: optional(namespaceName) });

const configMapKeyRef = object<ConfigMapKeyRef>({
  name: secretName,
  namespace: optional(namespaceName),
  key: optional(string({ maxLength: MAX_DNS_SUBDOMAIN_LENGTH, minLength: 1, pattern: SECRET_KEY_PATTERN })),
});

const labelSelectorRequirement = object<LabelSelectorRequirement>({
  key: string({ maxLength: MAX_LABEL_KEY_LENGTH, minLength: 1 }),
  operator: enumeration(['In', 'NotIn', 'Exists', 'DoesNotExist'] as const),
  values: optional(
    array(string({ maxLength: MAX_DNS_LABEL_LENGTH }), { maxItems: MAX_SELECTOR_VALUES, listType: 'atomic' }),
  ),
});

const labelSelector = object<LabelSelector>({
  matchLabels: optional(
    stringMap(string({ maxLength: MAX_DNS_LABEL_LENGTH }), { maxProperties: MAX_SELECTOR_LABELS }),
  ),
  matchExpressions: optional(
    array(labelSelectorRequirement, { maxItems: MAX_SELECTOR_EXPRESSIONS, listType: 'atomic' }),
  ),
});

const cosignKey = object<CosignKey>(
  {
    data: optional(pem()),
    secretRef: optional(secretKeyRef),
  },
  {
    validations: [
      { rule: 'has(self.data) != has(self.secretRef)', message: 'set exactly one of data or secretRef' },
    ],
  },
);

const fulcioExtensions = object<FulcioExtensions>({
  sourceRepositoryURI: optional(text()),
  sourceRepositoryRef: optional(text()),
  sourceRepositoryDigest: optional(text()),
  buildConfigURI: optional(text()),
  buildTrigger: optional(text()),
  buildSignerURI: optional(text()),
  buildSignerDigest: optional(text()),
  runnerEnvironment: optional(text()),
});

const keylessIdentity = object<KeylessIdentity>({
  issuer: optional(text()),
  subject: optional(text()),
  issuerRegExp: optional(text()),
  subjectRegExp: optional(text()),
  extensions: optional(fulcioExtensions),
  extensionsRegExp: optional(fulcioExtensions),
});

const cosignKeyless = object<CosignKeyless>({
  identities: array(keylessIdentity, { maxItems: MAX_LIST_ITEMS, minItems: 1 }),
  trustedRoot: optional(
    object<{ configMapRef?: ConfigMapKeyRef; data?: string }>({
      configMapRef: optional(configMapKeyRef),
      data: optional(string({ maxLength: MAX_TRUSTED_ROOT_LENGTH, minLength: 1 })),
    }),
  ),
});

const cosignAttestation = object<CosignAttestation>({
  name: text(),
  predicateType: text(),
  conditions: optional(
    array(string({ maxLength: MAX_CEL_LENGTH, minLength: 1 }), { maxItems: MAX_LIST_ITEMS }),
  ),
});

const cosignAuthority = object<CosignAuthority>({
  key: optional(cosignKey),
  keyless: optional(cosignKeyless),
  tlog: optional(
    object<CosignTlog>({
      required: optional(boolean()),
      rekorKeys: optional(pemList()),
    }),
  ),
  attestations: optional(array(cosignAttestation, { maxItems: MAX_LIST_ITEMS })),
  signedIdentity: optional(signedIdentitySchema({ text })),
});

const notaryV1Authority = object<NotaryV1Authority>({
  server: text(),
  rootKeys: pemList(),
  delegations: optional(array(text(), { maxItems: MAX_LIST_ITEMS })),
});

const notationAuthority = object<NotationAuthority>({
  trustStore: object<NotationTrustStore>({
    ca: optional(pemList()),
    signingAuthority: optional(pemList()),
    tsa: optional(pemList()),
  }),
  trustedIdentities: array(text(), { maxItems: MAX_LIST_ITEMS, minItems: 1 }),
  verificationLevel: optional(enumeration(['strict', 'permissive', 'audit'] as const), 'strict'),
  verifyTimestamp: optional(enumeration(['always', 'afterCertExpiry'] as const), 'always'),
  revocation: optional(
    object<{ onUnreachable?: NotationRevocationUnreachable }>({
      onUnreachable: optional(enumeration(['deny', 'warn'] as const), 'deny'),
    }),
  ),
});

const ociVaultKey = object<OciVaultKey>({
  keyId: text(),
  publicKey: optional(pem()),
});

const ociVaultAuth = object<OciVaultAuth>({
  secretRef: optional(secretRef),
  instancePrincipal: optional(boolean()),
  workloadIdentity: optional(boolean()),
  configFile: optional(text()),
  profile: optional(text()),
});

const ociVaultAuthority = object<OciVaultAuthority>({
  region: text(),
  compartmentId: text(),
  keys: array(ociVaultKey, { maxItems: MAX_LIST_ITEMS, minItems: 1 }),
  auth: optional(ociVaultAuth),
  endpoint: optional(text()),
  keyManagementEndpoint: optional(text()),
});

const simpleSigningAuthority = simpleSigningSchema({ text, pem, secretKeyRef, maxListItems: MAX_LIST_ITEMS });

const authority = object<Authority>(
  {
    name: string({ maxLength: MAX_AUTHORITY_NAME_LENGTH, minLength: 1, pattern: AUTHORITY_NAME_PATTERN }),
    cosign: optional(cosignAuthority),
    notaryV1: optional(notaryV1Authority),
    notation: optional(notationAuthority),
    ociVault: optional(ociVaultAuthority),
    simpleSigning: optional(simpleSigningAuthority),
  },
  {
    validations: [
      {
        rule:
          '(has(self.cosign) ? 1 : 0) + (has(self.notaryV1) ? 1 : 0) + (has(self.notation) ? 1 : 0) + ' +
          '(has(self.ociVault) ? 1 : 0) + (has(self.simpleSigning) ? 1 : 0) == 1',
        message: 'set exactly one of cosign, notaryV1, notation, ociVault, simpleSigning',
      },
    ],
  },
);

const breakGlass = object<BreakGlassSpec>({
  allowed: optional(boolean(), true),
  requireReason: optional(boolean(), false),
  allowedGroups: optional(
    array(string({ maxLength: MAX_GROUP_LENGTH, minLength: 1 }), { maxItems: MAX_GROUPS, listType: 'set' }),
  ),
});

const registry = object<RegistrySpec>({
  credentials: optional(
    array(object<RegistryCredentialRef>({ secretRef }), { maxItems: MAX_CREDENTIALS, listType: 'atomic' }),
  ),
  onError: optional(enumeration(['deny', 'allow', 'allowVerified'] as const), 'deny'),
  maxStaleness: optional(string({ maxLength: MAX_STALENESS_TEXT, minLength: 2, pattern: STALENESS_PATTERN })),
});

const tag = string({
  maxLength: MAX_TAG_LENGTH,
  minLength: 1,
  pattern: TAG_PATTERN,
  errorCode: 'POLICY_GLOB_INVALID',
});

const imageEntry = object<ImageGlob>({
  glob: string({ maxLength: MAX_GLOB_LENGTH, minLength: 1 }),
  tags: optional(
    array(tag, {
      maxItems: MAX_TAGS_PER_IMAGE_ENTRY,
      minItems: 1,
      listType: 'set',
    }),
  ),
});

const imagePolicySpecProperties: PropertySchemas<ImagePolicySpec> = {
  mode: optional(enumeration(['enforce', 'warn', 'audit'] as const), 'enforce'),
  images: array(imageEntry, { maxItems: MAX_IMAGES_PER_POLICY, minItems: 1, listType: 'atomic' }),
  excludeImages: optional(array(imageEntry, { maxItems: MAX_IMAGES_PER_POLICY, listType: 'atomic' })),
  requireDigest: optional(boolean(), false),
  threshold: optional(integer({ minimum: 1, errorCode: 'POLICY_THRESHOLD_INVALID' }), 1),
  authorities: array(authority, {
    maxItems: MAX_AUTHORITIES_PER_POLICY,
    minItems: 1,
    listType: 'map',
    listMapKeys: ['name'],
  }),
  breakGlass: optional(breakGlass),
  registry: optional(registry),
  encryption: optional(encryption),
  placement: optional(placement),
};

const specValidations = [
  {
    rule: '!has(self.threshold) || self.threshold <= size(self.authorities)',
    message: 'threshold must not exceed the number of authorities',
  },
];

/** The schema of ImagePolicy.spec. */
export const imagePolicySpecSchema = object<ImagePolicySpec>(imagePolicySpecProperties, {
  validations: specValidations,
});

/** The schema of ClusterImagePolicy.spec. */
export const clusterImagePolicySpecSchema = object<ClusterImagePolicySpec>(
  { ...imagePolicySpecProperties, namespaceSelector: optional(labelSelector) },
  { validations: specValidations },
);

// metav1.Condition's own schema limits, which status.conditions repeats.
const MAX_CONDITION_TYPE_LENGTH = 316;
const MAX_CONDITION_TIME_LENGTH = 64;
const MAX_CONDITION_REASON_LENGTH = 1024;
const MAX_CONDITION_MESSAGE_LENGTH = 32768;

const condition = object<PolicyCondition>({
  type: string({ maxLength: MAX_CONDITION_TYPE_LENGTH, minLength: 1 }),
  status: enumeration(['True', 'False', 'Unknown'] as const),
  observedGeneration: optional(integer({ minimum: 0 })),
  lastTransitionTime: string({ maxLength: MAX_CONDITION_TIME_LENGTH, minLength: 1 }),
  reason: string({ maxLength: MAX_CONDITION_REASON_LENGTH, minLength: 1 }),
  message: string({ maxLength: MAX_CONDITION_MESSAGE_LENGTH }),
});

const summaryText = string({ maxLength: MAX_SUMMARY_LENGTH });

/** The schema of `status` (written by Portcullis through the status subresource). */
export const policyStatusSchema = object<PolicyStatus>({
  conditions: optional(
    array(condition, { maxItems: MAX_CONDITIONS, listType: 'map', listMapKeys: ['type'] }),
  ),
  observedGeneration: optional(integer({ minimum: 0 })),
  summary: optional(object<PolicySummary>({ images: summaryText, authorities: summaryText })),
});
