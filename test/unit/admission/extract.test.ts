import {
  AdmissionError,
  decodeAdmissionReview,
  extractImages,
  extractPodSpec,
  MAX_CONTAINERS_PER_OBJECT,
  type KindRef,
} from '../../../src/admission';
import { loadFixture } from './load-fixture';

const D1 = 'sha256:' + 'a'.repeat(64);
const T = 'spec.template.spec';
const P = '/spec/template/spec';
const CJ = 'spec.jobTemplate.spec.template.spec';
const CJP = '/spec/jobTemplate/spec/template/spec';

// decoded reads a valid fixture as the server would.
function decoded(name: string) {
  return decodeAdmissionReview(loadFixture('valid', name)).request;
}

describe('extractImages: exact (field, pointer, image) per fixture', () => {
  const table: [string, [string, string, string][]][] = [
    [
      'pod',
      [
        ['spec.containers[0].image', '/spec/containers/0/image', 'nginx:1.25'],
        ['spec.containers[1].image', '/spec/containers/1/image', `ghcr.io/acme/proxy@${D1}`],
        ['spec.initContainers[0].image', '/spec/initContainers/0/image', 'busybox'],
      ],
    ],
    [
      'deployment',
      [
        [`${T}.containers[0].image`, `${P}/containers/0/image`, 'registry.example.com/team/web:2.1.0'],
        [`${T}.containers[1].image`, `${P}/containers/1/image`, 'quay.io/prometheus/node-exporter:v1.8.0'],
        [
          `${T}.initContainers[0].image`,
          `${P}/initContainers/0/image`,
          'registry.example.com/team/migrate:2.1.0',
        ],
      ],
    ],
    ['replicaset', [[`${T}.containers[0].image`, `${P}/containers/0/image`, `nginx@${D1}`]]],
    [
      'statefulset',
      [
        [`${T}.containers[0].image`, `${P}/containers/0/image`, 'docker.io/library/postgres:16'],
        [`${T}.initContainers[0].image`, `${P}/initContainers/0/image`, 'busybox:1.36'],
        [`${T}.initContainers[1].image`, `${P}/initContainers/1/image`, 'ghcr.io/acme/seed:1'],
      ],
    ],
    [
      'daemonset',
      [[`${T}.containers[0].image`, `${P}/containers/0/image`, 'registry.local:5000/ops/agent:v2']],
    ],
    ['job', [[`${T}.containers[0].image`, `${P}/containers/0/image`, 'ghcr.io/acme/backup:2024.05']]],
    [
      'cronjob',
      [
        [`${CJ}.containers[0].image`, `${CJP}/containers/0/image`, 'ghcr.io/acme/report:1.0'],
        [`${CJ}.initContainers[0].image`, `${CJP}/initContainers/0/image`, 'curlimages/curl:8.8.0'],
      ],
    ],
    [
      'replicationcontroller',
      [[`${T}.containers[0].image`, `${P}/containers/0/image`, '[::1]:5000/legacy/app:0.9']],
    ],
    // The subresource only adds ephemeral containers: only those are judged.
    [
      'pod-ephemeralcontainers',
      [['spec.ephemeralContainers[0].image', '/spec/ephemeralContainers/0/image', 'busybox:1.36']],
    ],
    ['update-with-image-change', [['spec.containers[0].image', '/spec/containers/0/image', 'nginx:1.27']]],
    // Missing or non-string images become "" so the policy layer denies them; none is skipped.
    [
      'pod-missing-images',
      [
        ['spec.containers[0].image', '/spec/containers/0/image', ''],
        ['spec.containers[1].image', '/spec/containers/1/image', ''],
        ['spec.containers[2].image', '/spec/containers/2/image', ''],
      ],
    ],
    ['configmap', []],
  ];

  it.each(table)('%s', (name, expected) => {
    const r = decoded(name);
    const uses = extractImages(r.kind, r.object, r.subResource);
    expect(uses.map((u) => [u.field, u.pointer, u.image])).toEqual(expected);
  });

  it('names containers and their list', () => {
    const r = decoded('statefulset');
    const uses = extractImages(r.kind, r.object, r.subResource);
    expect(uses.map((u) => [u.container, u.containerKind])).toEqual([
      ['postgres', 'containers'],
      ['chown', 'initContainers'],
      ['seed', 'initContainers'],
    ]);
    const odd = decoded('pod-missing-images');
    expect(extractImages(odd.kind, odd.object).map((u) => u.container)).toEqual(['no-image', 'numeric', '']);
  });

  it('judges all three lists of a plain Pod, ephemeral ones included', () => {
    const pod = {
      spec: {
        containers: [{ name: 'a', image: 'a:1' }],
        initContainers: [{ name: 'b', image: 'b:1' }],
        ephemeralContainers: [{ name: 'c', image: 'c:1' }],
      },
    };
    expect(extractImages({ group: '', kind: 'Pod' }, pod).map((u) => u.pointer)).toEqual([
      '/spec/containers/0/image',
      '/spec/initContainers/0/image',
      '/spec/ephemeralContainers/0/image',
    ]);
  });

  const ignored: [string, KindRef, string | undefined][] = [
    ['a Pod status update', { group: '', kind: 'Pod' }, 'status'],
    ['a Deployment scale', { group: 'apps', kind: 'Deployment' }, 'scale'],
    [
      'Deployment ephemeralcontainers (no such thing)',
      { group: 'apps', kind: 'Deployment' },
      'ephemeralcontainers',
    ],
    ['a Deployment in the wrong group', { group: 'extensions', kind: 'Deployment' }, undefined],
    ['a Pod in a custom group', { group: 'example.com', kind: 'Pod' }, undefined],
    ['a Service', { group: '', kind: 'Service' }, undefined],
  ];
  it.each(ignored)('returns [] for %s', (_name, kind, sub) => {
    const obj = loadFixture('valid', 'deployment') as { request: { object: unknown } };
    expect(extractImages(kind, obj.request.object, sub)).toEqual([]);
    expect(extractPodSpec(kind, obj.request.object, sub)).toBeUndefined();
  });
});

describe('extractPodSpec: facts', () => {
  it('Pod: annotations, pull secrets, service account from the pod', () => {
    const r = decoded('pod');
    const found = extractPodSpec(r.kind, r.object);
    expect(found?.specPath).toEqual(['spec']);
    expect(found?.facts.placement).toEqual({ nodeSelector: {} });
    expect(found?.facts.specPointer).toBe('/spec');
    expect(found?.facts).toMatchObject({
      annotations: {
        'portcullis.dev/break-glass': 'true',
        'portcullis.dev/break-glass-reason': 'INC-42 hotfix',
      },
      imagePullSecrets: ['regcred', 'mirror'],
      serviceAccountName: 'web',
    });
  });

  it('Deployment: object and template annotations merged, the template winning a conflict', () => {
    const r = decoded('deployment');
    const found = extractPodSpec(r.kind, r.object);
    expect(found?.specPath).toEqual(['spec', 'template', 'spec']);
    expect(found?.facts.annotations).toEqual({
      'deployment.kubernetes.io/revision': '3',
      team: 'template-level',
      'oracle.image-policy.k8s.io/break-glass': 'true',
    });
    expect(found?.facts.imagePullSecrets).toEqual(['team-pull']);
    expect(found?.facts.serviceAccountName).toBe('default');
  });

  it('CronJob: annotations from the CronJob, its jobTemplate and its pod template', () => {
    const r = decoded('cronjob');
    const found = extractPodSpec(r.kind, r.object);
    expect(found?.specPath).toEqual(['spec', 'jobTemplate', 'spec', 'template', 'spec']);
    expect(found?.facts.specPointer).toBe('/spec/jobTemplate/spec/template/spec');
    expect(found?.facts).toMatchObject({
      annotations: {
        'portcullis.dev/break-glass': 'true',
        'portcullis.dev/break-glass-reason': 'nightly report, INC-7',
      },
      imagePullSecrets: ['acme-pull'],
      serviceAccountName: 'default',
    });
  });

  it('drops non-string annotations and malformed pull secrets, and reads the deprecated serviceAccount', () => {
    const pod = {
      metadata: { annotations: { 'portcullis.dev/break-glass': true, ok: 'yes' } },
      spec: {
        containers: [],
        imagePullSecrets: [{ name: 'a' }, { name: 3 }, 'b', null, { name: '' }],
        serviceAccount: 'legacy',
      },
    };
    const found = extractPodSpec({ group: '', kind: 'Pod' }, pod);
    expect(found?.facts).toMatchObject({
      annotations: { ok: 'yes' },
      imagePullSecrets: ['a'],
      serviceAccountName: 'legacy',
    });
  });

  it('keeps a `__proto__` annotation as a plain key (no prototype pollution)', () => {
    const pod: unknown = JSON.parse(
      '{"metadata":{"annotations":{"__proto__":"x","a":"b"}},"spec":{"containers":[]}}',
    );
    const found = extractPodSpec({ group: '', kind: 'Pod' }, pod);
    expect(Object.keys(found?.facts.annotations ?? {})).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(found?.facts.annotations)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('extractImages: refusals', () => {
  const table: [string, string, string][] = [
    ['containers-not-array', 'ADMISSION_MALFORMED', 'spec.containers'],
    ['pod-spec-not-object', 'ADMISSION_MALFORMED', 'spec'],
    ['template-spec-missing', 'ADMISSION_MALFORMED', 'spec.template.spec'],
    ['too-many-containers', 'ADMISSION_TOO_MANY_CONTAINERS', ''],
  ];
  it.each(table)('%s → %s', (name, code, field) => {
    const r = decodeAdmissionReview(loadFixture('invalid', name)).request;
    expect(() => extractImages(r.kind, r.object, r.subResource)).toThrowWithCode(code, {
      instanceOf: AdmissionError,
      ...(field === '' ? {} : { details: { field } }),
    });
  });

  it('counts all three lists against MAX_CONTAINERS_PER_OBJECT, and allows exactly the limit', () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: 'x:1' }));
    const half = MAX_CONTAINERS_PER_OBJECT / 2;
    const atLimit = { spec: { containers: list(half), initContainers: list(half) } };
    expect(extractImages({ group: '', kind: 'Pod' }, atLimit)).toHaveLength(MAX_CONTAINERS_PER_OBJECT);
    const over = { spec: { ...atLimit.spec, ephemeralContainers: list(1) } };
    expect(() => extractImages({ group: '', kind: 'Pod' }, over)).toThrowWithCode(
      'ADMISSION_TOO_MANY_CONTAINERS',
    );
  });

  it('refuses an object that is not an object', () => {
    expect(() => extractImages({ group: 'apps', kind: 'Deployment' }, 'nope')).toThrowWithCode(
      'ADMISSION_MALFORMED',
    );
  });
});
