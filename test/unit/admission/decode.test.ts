import { AdmissionError, decodeAdmissionReview, MAX_UID_CHARS, readUid } from '../../../src/admission';
import { PortcullisError } from '../../../src/errors';
import { listFixtures, loadFixture } from './load-fixture';

describe('decodeAdmissionReview: valid fixtures', () => {
  const table: [string, string, string, string, string][] = [
    // fixture, operation, group, kind, namespace
    ['configmap', 'CREATE', '', 'ConfigMap', 'shop'],
    ['cronjob', 'CREATE', 'batch', 'CronJob', 'ops'],
    ['daemonset', 'CREATE', 'apps', 'DaemonSet', 'ops'],
    ['delete', 'DELETE', '', 'Pod', 'shop'],
    ['deployment', 'CREATE', 'apps', 'Deployment', 'shop'],
    ['job', 'CREATE', 'batch', 'Job', 'ops'],
    ['pod', 'CREATE', '', 'Pod', 'shop'],
    ['pod-ephemeralcontainers', 'UPDATE', '', 'Pod', 'shop'],
    ['pod-missing-images', 'CREATE', '', 'Pod', 'shop'],
    ['replicaset', 'CREATE', 'apps', 'ReplicaSet', 'shop'],
    ['replicationcontroller', 'CREATE', '', 'ReplicationController', 'old'],
    ['statefulset', 'CREATE', 'apps', 'StatefulSet', 'data'],
    ['update-with-image-change', 'UPDATE', '', 'Pod', 'shop'],
    ['update-without-image-change', 'UPDATE', 'apps', 'Deployment', 'shop'],
  ];

  it('covers every valid fixture', () => {
    expect(table.map((r) => r[0]).sort()).toEqual(listFixtures('valid'));
  });

  it.each(table)('%s', (name, operation, group, kind, namespace) => {
    const body = loadFixture('valid', name) as { request: { uid: string; userInfo: { username: string } } };
    const { uid, request } = decodeAdmissionReview(body);
    expect(uid).toBe(body.request.uid);
    expect(request.uid).toBe(uid);
    expect(request.operation).toBe(operation);
    expect(request.kind).toEqual({ group, version: 'v1', kind });
    expect(request.namespace).toBe(namespace);
    expect(request.userInfo.username).toBe(body.request.userInfo.username);
    expect(request.dryRun).toBe(false);
  });

  it('reads the subresource, groups, and leaves a null object undefined', () => {
    const eph = decodeAdmissionReview(loadFixture('valid', 'pod-ephemeralcontainers')).request;
    expect(eph.subResource).toBe('ephemeralcontainers');
    expect(eph.resource).toEqual({ group: '', version: 'v1', resource: 'pods' });
    expect(eph.userInfo.groups).toEqual(['dev-team', 'system:authenticated']);
    const del = decodeAdmissionReview(loadFixture('valid', 'delete')).request;
    expect(del.object).toBeUndefined();
    expect(del.oldObject).toMatchObject({ kind: 'Pod' });
  });
});

describe('decodeAdmissionReview: invalid fixtures', () => {
  const table: [string, string, string][] = [
    // fixture, code, field (decode-stage only; extract-stage fixtures are in extract.test.ts)
    ['containers-not-array', 'extract', ''],
    ['create-without-object', 'ADMISSION_MALFORMED', 'request.object'],
    ['dry-run-string', 'ADMISSION_MALFORMED', 'request.dryRun'],
    ['missing-namespace', 'ADMISSION_MALFORMED', 'request.namespace'],
    ['missing-request', 'ADMISSION_MALFORMED', 'request'],
    ['missing-uid', 'ADMISSION_MISSING_UID', 'request.uid'],
    ['missing-user-info', 'ADMISSION_MALFORMED', 'request.userInfo'],
    ['not-an-object', 'ADMISSION_MALFORMED', '(root)'],
    ['object-is-string', 'ADMISSION_MALFORMED', 'request.object'],
    ['operation-unknown', 'ADMISSION_MALFORMED', 'request.operation'],
    ['pod-spec-not-object', 'extract', ''],
    ['request-kind-missing-version', 'ADMISSION_MALFORMED', 'request.kind.version'],
    ['request-kind-string', 'ADMISSION_MALFORMED', 'request.kind'],
    ['template-spec-missing', 'extract', ''],
    ['too-many-containers', 'extract', ''],
    ['uid-not-string', 'ADMISSION_MISSING_UID', 'request.uid'],
    ['uid-too-long', 'ADMISSION_MISSING_UID', 'request.uid'],
    ['uid-unsafe-characters', 'ADMISSION_MISSING_UID', 'request.uid'],
    ['user-groups-not-strings', 'ADMISSION_MALFORMED', 'request.userInfo.groups[1]'],
    ['v1beta1', 'ADMISSION_UNSUPPORTED_VERSION', 'apiVersion'],
    ['wrong-api-version', 'ADMISSION_MALFORMED', 'apiVersion'],
    ['wrong-kind', 'ADMISSION_MALFORMED', 'kind'],
  ];

  it('covers every invalid fixture', () => {
    expect(table.map((r) => r[0]).sort()).toEqual(listFixtures('invalid'));
  });

  it.each(table.filter((r) => r[1] !== 'extract'))('%s → %s', (name, code, field) => {
    expect(() => decodeAdmissionReview(loadFixture('invalid', name))).toThrowWithCode(code, {
      instanceOf: AdmissionError,
      details: { field },
      message: field === '(root)' ? 'AdmissionReview' : field,
    });
  });

  it('refuses with an AdmissionError, which is a PortcullisError', () => {
    expect(() => decodeAdmissionReview(loadFixture('invalid', 'wrong-kind'))).toThrow(PortcullisError);
  });

  it('tells a v1beta1 sender what to change', () => {
    expect(() => decodeAdmissionReview(loadFixture('invalid', 'v1beta1'))).toThrow(/admissionReviewVersions/);
  });

  it.each(table.filter((r) => r[1] === 'extract'))('%s decodes; extraction refuses it', (name) => {
    expect(decodeAdmissionReview(loadFixture('invalid', name)).request.object).toBeDefined();
  });

  it('does not quote an unbounded attacker string', () => {
    const body = loadFixture('invalid', 'operation-unknown') as { request: Record<string, unknown> };
    body.request.operation = 'X'.repeat(10_000);
    expect(() => decodeAdmissionReview(body)).toThrow(AdmissionError);
    try {
      decodeAdmissionReview(body);
    } catch (e) {
      expect((e as Error).message.length).toBeLessThan(300);
    }
  });

  it('ignores inherited properties: a uid only on the prototype is missing', () => {
    const request = Object.create({ uid: 'inherited' }) as Record<string, unknown>;
    expect(readUid({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request })).toBeUndefined();
  });
});

describe('readUid', () => {
  const wrap = (uid: unknown): unknown => ({ request: { uid } });
  const table: [string, unknown, string | undefined][] = [
    ['a UUID', wrap('705ab4f5-6393-11e8-b7cc-42010a800002'), '705ab4f5-6393-11e8-b7cc-42010a800002'],
    ['the longest allowed', wrap('u'.repeat(MAX_UID_CHARS)), 'u'.repeat(MAX_UID_CHARS)],
    ['one too long', wrap('u'.repeat(MAX_UID_CHARS + 1)), undefined],
    ['empty', wrap(''), undefined],
    ['a number', wrap(7), undefined],
    ['a newline', wrap('abc\n'), undefined],
    ['a quote', wrap('a"b'), undefined],
    ['non-ASCII', wrap('ü'), undefined],
    ['no request', {}, undefined],
    ['request is an array', { request: [] }, undefined],
    ['body is null', null, undefined],
    ['body is a string', 'uid', undefined],
  ];
  it.each(table)('%s', (_name, body, expected) => {
    expect(readUid(body)).toBe(expected);
  });

  it('reads the uid even when the rest is malformed (so the server can still answer with a denial)', () => {
    const body = loadFixture('invalid', 'operation-unknown') as { request: { uid: string } };
    expect(readUid(body)).toBe(body.request.uid);
  });
});
