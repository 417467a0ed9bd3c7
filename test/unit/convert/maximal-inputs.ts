// Maximal inputs for field-coverage.test.ts: every field each converter maps or reports (ACCEPTED), and fields it
// refuses (REFUSED). Written for these tests from the peers' schemas; keys are placeholders, never verified.
/** A PEM public key as a double-quoted YAML scalar (escaped line breaks). */
const PEM = '-----BEGIN PUBLIC KEY-----\\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\\n-----END PUBLIC KEY-----';

export const PORTIERIS_ACCEPTED = `
apiVersion: portieris.cloud.ibm.com/v1
kind: ClusterImagePolicy
metadata: {name: c, labels: {team: a}}
spec:
  unknownSpecField: 1
  repositories:
  - name: "*"
    unknownRepoField: 1
    policy:
      mutateImage: true
      unknownPolicyField: 1
      trust:
        enabled: true
        trustServer: https://notary.example.com
        unknownTrustField: 1
        signerSecrets:
        - {name: s1, unknownSecretField: 1}
      vulnerability:
        ICCRVA: {enabled: false, account: acc, unknownVaField: 1}
        unknownVulnerabilityField: 1
      simple: {storeURL: "https://store", storeSecret: sec, requirements: [], unknownSimpleField: 1}
---
apiVersion: portieris.cloud.ibm.com/v1
kind: ImagePolicy
metadata: {name: i, namespace: team}
spec:
  repositories:
  - name: "*"
    policy:
      trust: {enabled: false, trustServer: "https://n", signerSecrets: [{name: s}]}
  - name: "icr.io/cise/*"
    policy:
      simple:
        storeURL: "https://sigstore.example.com/sigs"
        requirements:
        - type: signedBy
          keySecret: k
          keySecretNamespace: team
          unknownRequirementField: 1
          signedIdentity:
            {type: remapIdentity, prefix: icr.io/cise/remap, signedPrefix: icr.io/cise, dockerReference: x, unknownIdentityField: 1}
        - {type: insecureAcceptAnything, keySecret: k2}
status: {x: 1}
`;

export const PORTIERIS_REFUSED = `
apiVersion: portieris.cloud.ibm.com/v1
kind: ClusterImagePolicy
metadata: {name: c}
spec:
  repositories:
  - name: "*"
    policy:
      trust: {enabled: true, trustServer: "https://n", signerSecrets: [{name: unmapped-secret}]}
      vulnerability: {ICCRVA: {enabled: true, account: acc}}
      simple: {storeURL: "https://store", storeSecret: sec, requirements: [{type: signedBy, keySecret: k}]}
  - name: "registry.example.com/app:v1"
`;

export const CONNAISSEUR_ACCEPTED = `
kubernetes: {replicas: 3}
application:
  alerting: {x: 1}
  features:
    detectionMode: true
    namespacedValidation: {enabled: false, mode: validate}
    automaticChildApproval: true
    automaticUnchangedApproval: false
    resourceValidationMode: all
    cache: {expireSeconds: 30}
  validators:
  - {name: unused, type: static, approve: true}
  - {name: deny, type: static, approve: false}
  - name: default
    type: cosign
    host: {rekor: rekor.sigstore.dev, rekorPubkey: "${PEM}"}
    auth: {secretName: s, useKeychain: true}
    cert: "${PEM}"
    trustRoots:
    - {name: alice, key: "${PEM}", tsCert: x}
    - name: bob
      keyless: {issuerRegex: "https://issuer", subject: me}
  - name: dct
    type: notaryv1
    host: notary.example.com
    isAcr: false
    trustRoots: [{name: default, key: "${PEM}"}]
  policy:
  - pattern: "registry.example.com/a/*:*"
    with:
      trustRoot: "*"
      threshold: 1
      required: [alice]
      verifyInTransparencyLog: true
      mode: mutate
      delegations: [x]
      verificationLevel: strict
      verifyTimestamp: always
  - pattern: "registry.example.com/k/*:*"
    with: {trustRoot: alice, threshold: 2, required: [alice], verifySCT: true}
  - pattern: "registry.example.com/d/*"
    validator: dct
    with: {delegations: [releases], threshold: 1, verifyInTransparencyLog: false, mode: insecureValidateOnly}
  - pattern: "registry.example.com/x/*:*"
    validator: deny
    with: {trustRoot: alice}
`;

export const CONNAISSEUR_REFUSED = `
application:
  features: {namespacedValidation: {enabled: true, mode: validate, modes: x}, unknownFeature: 1}
  validators:
  - name: default
    type: cosign
    host: {fulcioCert: x, ctLogPubkey: y, rekor: rekor.example.com, rekorKey: z}
    auth: {username: u}
    unknownValidatorField: 1
    trustRoots: [{name: default, key: "awskms:///x", cert: c}, {name: k, keyless: {issuer: "https://i", subjects: s}}]
  - name: n
    type: notation
    trustRoots: [{name: default, cert: c}]
  policy:
  - pattern: "registry.example.com/a:v1"
    with: {foo: 1, required: [bob]}
  - pattern: "registry.example.com/k/*"
    with: {trustRoot: k, verifySCT: false}
  - pattern: "registry.example.com/n/*"
    validator: n
    weight: 1
    with: {verificationLevel: strict}
`;

export const KYVERNO_ACCEPTED = `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: k, annotations: {a: b}}
spec:
  validationFailureAction: Enforce
  background: false
  webhookTimeoutSeconds: 30
  failurePolicy: Ignore
  schemaValidation: false
  emitWarning: false
  rules:
  - name: r
    match:
      any:
      - resources: {kinds: [Pod], namespaces: [team]}
    exclude:
      any:
      - resources: {namespaces: [kube-system]}
    verifyImages:
    - imageReferences: ["registry.example.com/app:*", "registry.example.com/lib*"]
      failureAction: Enforce
      mutateDigest: false
      verifyDigest: true
      useCache: true
      cosignOCI11: false
      type: Cosign
      imageRegistryCredentials: {secrets: [regcred], providers: [default]}
      attestors:
      - count: 1
        entries:
        - keys:
            publicKeys: "${PEM}"
            signatureAlgorithm: sha256
            rekor: {ignoreTlog: false, url: "https://rekor.sigstore.dev"}
        - keyless:
            issuer: https://token.actions.githubusercontent.com
            subjectRegExp: "https://github.com/org/.*"
            rekor: {url: "https://rekor.sigstore.dev"}
      attestations:
      - predicateType: https://slsa.dev/provenance/v1
        attestors:
        - entries:
          - keys: {publicKeys: "${PEM}"}
        conditions:
        - all:
          - {key: "{{ buildType }}", operator: Equals, value: "https://example.com/build"}
`;

export const POLICY_CONTROLLER_ACCEPTED = `
apiVersion: policy.sigstore.dev/v1beta1
kind: ClusterImagePolicy
metadata: {name: p, labels: {a: b}}
spec:
  mode: warn
  images:
  - glob: "registry.example.com/app/**"
  authorities:
  - name: key
    key: {data: "${PEM}", hashAlgorithm: sha256}
    ctlog: {url: "https://rekor.sigstore.dev"}
    source:
    - signaturePullSecrets: [{name: regcred}]
    signatureFormat: bundle
    attestations:
    - name: sbom
      predicateType: spdxjson
  - name: keyless
    keyless:
      url: https://fulcio.sigstore.dev
      identities: [{issuer: "https://accounts.google.com", subjectRegExp: ".*@example.com"}]
  - name: refuse-all
    static: {action: fail}
`;
