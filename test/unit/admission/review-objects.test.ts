import { parseAllDocuments } from 'yaml';
import {
  AdmissionError,
  extractImages,
  MAX_REVIEW_OBJECTS,
  REVIEW_DEFAULT_NAMESPACE,
  REVIEW_USERNAME,
  toReviewRequests,
} from '../../../src/admission';
import { loadFixture } from './load-fixture';

// docsOf parses multi-document YAML the way the CLI will.
function docsOf(text: string): unknown[] {
  return parseAllDocuments(text).map((d) => d.toJS() as unknown);
}

const MANIFEST = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: web, image: "nginx:1.25"}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}]}
---
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {generateName: debug-}
    spec: {containers: [{name: sh, image: busybox}]}
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: settings}
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: report, namespace: ops}
    spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: r, image: "ghcr.io/acme/report:1"}]}}}}}
`;

describe('toReviewRequests', () => {
  it('builds a synthetic CREATE per pod-bearing object and lists the rest as skipped', () => {
    const { requests, skipped } = toReviewRequests(docsOf(MANIFEST));
    expect(
      requests.map((r) => [
        r.uid,
        r.request.kind.group,
        r.request.kind.kind,
        r.request.namespace,
        r.request.name,
      ]),
    ).toEqual([
      ['portcullis-review-1', 'apps', 'Deployment', 'shop', 'web'],
      ['portcullis-review-2', '', 'Pod', REVIEW_DEFAULT_NAMESPACE, 'debug-'],
      ['portcullis-review-3', 'batch', 'CronJob', 'ops', 'report'],
    ]);
    expect(skipped).toEqual([
      expect.objectContaining({ location: 'document 2', apiVersion: 'v1', kind: 'Service', name: 'web' }),
      expect.objectContaining({
        location: 'document 4, item 1',
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: 'settings',
      }),
    ]);
    for (const { uid, request } of requests) {
      expect(request.uid).toBe(uid);
      expect(request.operation).toBe('CREATE');
      expect(request.userInfo).toEqual({ username: REVIEW_USERNAME, groups: [] });
      expect(request.resource?.resource).toBe(
        { Deployment: 'deployments', Pod: 'pods', CronJob: 'cronjobs' }[request.kind.kind],
      );
    }
    const images = requests.map((r) => extractImages(r.request.kind, r.request.object).map((u) => u.image));
    expect(images).toEqual([['nginx:1.25'], ['busybox'], ['ghcr.io/acme/report:1']]);
  });

  it('decodes an AdmissionReview document as the webhook would', () => {
    const review = loadFixture('valid', 'deployment') as { request: { uid: string } };
    const { requests, skipped } = toReviewRequests([review]);
    expect(skipped).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.uid).toBe(review.request.uid);
    expect(requests[0]?.request.userInfo.username).toBe('alice@example.com');
  });

  const invalid: [string, unknown[], string, RegExp][] = [
    ['a scalar document', ['just text'], 'ADMISSION_MALFORMED', /document 1 is a string/],
    ['no kind', [{ apiVersion: 'v1' }], 'ADMISSION_MALFORMED', /document 1 has no kind/],
    ['no apiVersion', [{ kind: 'Pod' }], 'ADMISSION_MALFORMED', /document 1 has no apiVersion/],
    [
      'bad apiVersion',
      [{ apiVersion: 'a/b/c', kind: 'Pod' }],
      'ADMISSION_MALFORMED',
      /not "version" or "group\/version"/,
    ],
    [
      'a bad list item',
      [null, { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Pod' }, 7] }],
      'ADMISSION_MALFORMED',
      /document 2, item 1 is a number/,
    ],
    [
      'a v1beta1 review',
      [loadFixture('invalid', 'v1beta1')],
      'ADMISSION_UNSUPPORTED_VERSION',
      /^document 1: AdmissionReview field apiVersion/,
    ],
    [
      'lists nested too deep',
      [
        {
          kind: 'List',
          apiVersion: 'v1',
          items: [
            {
              kind: 'List',
              apiVersion: 'v1',
              items: [
                { kind: 'List', apiVersion: 'v1', items: [{ kind: 'List', apiVersion: 'v1', items: [] }] },
              ],
            },
          ],
        },
      ],
      'ADMISSION_MALFORMED',
      /nests lists deeper/,
    ],
  ];
  it.each(invalid)('refuses %s', (_name, docs, code, message) => {
    expect(() => toReviewRequests(docs)).toThrowWithCode(code, { instanceOf: AdmissionError, message });
  });

  it('accepts *List kinds and ignores empty documents', () => {
    const podList = {
      apiVersion: 'v1',
      kind: 'PodList',
      items: [{ apiVersion: 'v1', kind: 'Pod', spec: { containers: [] } }],
    };
    const { requests, skipped } = toReviewRequests([null, podList, undefined]);
    expect(requests).toHaveLength(1);
    expect(skipped).toEqual([]);
  });

  it('stops past MAX_REVIEW_OBJECTS', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap' };
    expect(toReviewRequests(Array.from({ length: MAX_REVIEW_OBJECTS }, () => cm)).skipped).toHaveLength(
      MAX_REVIEW_OBJECTS,
    );
    expect(() => toReviewRequests(Array.from({ length: MAX_REVIEW_OBJECTS + 1 }, () => cm))).toThrow(
      /limit of 1000 objects/,
    );
  });
});
