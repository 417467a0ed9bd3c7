import {
  ADMISSION_API_VERSION,
  isAuditAnnotationKey,
  MAX_AUDIT_ANNOTATION_KEY_CHARS,
  MAX_AUDIT_ANNOTATION_VALUE_CHARS,
  MAX_AUDIT_ANNOTATIONS,
  MAX_MESSAGE_BYTES,
  MAX_WARNING_CHARS,
  MAX_WARNINGS_TOTAL_CHARS,
  toAdmissionReview,
  toAuditAnnotationKey,
  toErrorReview,
  toStatusMessage,
  toWarnings,
  type JsonPatchOp,
} from '../../../src/admission';
import { boundedJoin, MAX_ANNOTATION_VALUE_CHARS } from '../../../src/policy/decide/decide-format';
import type { Decision } from '../../../src/policy/decide/decision.types';

const UID = '705ab4f5-6393-11e8-b7cc-42010a800001';

// decision builds a Decision with sensible empty defaults.
function decision(over: Partial<Decision>): Decision {
  return {
    allowed: true,
    warnings: [],
    auditAnnotations: {},
    breakGlassUsed: false,
    verified: [],
    images: [],
    ...over,
  };
}

const runes = (s: string): number => Array.from(s).length;
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

describe('toAdmissionReview', () => {
  it('allows: envelope, uid, nothing else', () => {
    expect(toAdmissionReview(UID, decision({}))).toEqual({
      apiVersion: ADMISSION_API_VERSION,
      kind: 'AdmissionReview',
      response: { uid: UID, allowed: true },
    });
  });

  it('denies with code 403 Forbidden and the message', () => {
    const review = toAdmissionReview(
      UID,
      decision({ allowed: false, message: 'image nginx is not signed\nhint: sign it' }),
    );
    expect(review.response).toEqual({
      uid: UID,
      allowed: false,
      status: { code: 403, reason: 'Forbidden', message: 'image nginx is not signed\nhint: sign it' },
    });
  });

  const codes: [number | undefined, number, string | undefined][] = [
    [undefined, 403, 'Forbidden'],
    [500, 500, 'InternalError'],
    [504, 504, 'Timeout'],
    [422, 422, undefined],
    [200, 403, 'Forbidden'],
    [4.5, 403, 'Forbidden'],
  ];
  it.each(codes)('decision code %s → status code %s', (code, expected, reason) => {
    const status = toAdmissionReview(UID, decision({ allowed: false, message: 'no', code })).response.status;
    expect(status?.code).toBe(expected);
    expect(status?.reason).toBe(reason);
  });

  it('denies with a default message when the decision has none', () => {
    expect(toAdmissionReview(UID, decision({ allowed: false })).response.status?.message).toMatch(
      /no reason was recorded/,
    );
  });

  it('carries a patch only when allowed and non-empty, as base64 JSONPatch', () => {
    const patch: JsonPatchOp[] = [
      { op: 'replace', path: '/spec/containers/0/image', value: 'x@sha256:' + 'b'.repeat(64) },
    ];
    const allowed = toAdmissionReview(UID, decision({}), patch).response;
    expect(allowed.patchType).toBe('JSONPatch');
    expect(JSON.parse(Buffer.from(allowed.patch ?? '', 'base64').toString('utf8'))).toEqual(patch);
    expect(
      toAdmissionReview(UID, decision({ allowed: false, message: 'no' }), patch).response.patch,
    ).toBeUndefined();
    expect(toAdmissionReview(UID, decision({}), []).response.patchType).toBeUndefined();
  });

  it('passes cleaned warnings and audit annotations through', () => {
    const r = toAdmissionReview(
      UID,
      decision({
        warnings: ['break-glass used\nby alice'],
        auditAnnotations: { 'break-glass': 'true', 'Bad Key!': 'v' },
      }),
    ).response;
    expect(r.warnings).toEqual(['break-glass used by alice']);
    expect(r.auditAnnotations).toEqual({ 'break-glass': 'true', 'bad-key': 'v' });
  });
});

describe('toStatusMessage', () => {
  it('keeps a message within the limit unchanged', () => {
    const m = 'line 1\n\tline 2 ✓';
    expect(toStatusMessage(m)).toBe(m);
  });

  it('cuts a long message at MAX_MESSAGE_BYTES with a note, on a code-point boundary', () => {
    const long = '😀'.repeat(MAX_MESSAGE_BYTES); // 4 bytes each
    const out = toStatusMessage(long);
    expect(Buffer.byteLength(out, 'utf8')).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(out).toMatch(/message cut at 16384 bytes/);
    expect(out).not.toContain('\uFFFD');
    expect(out.startsWith('😀😀')).toBe(true);
  });

  it('removes control characters but keeps newlines and tabs', () => {
    expect(toStatusMessage('a\u0000b\u001b[31mc\r\nd\te\u202Ef')).toBe('a b [31mc\nd\te f');
  });

  it('replaces lone surrogates', () => {
    expect(toStatusMessage('a\uD800b')).toBe('a\uFFFDb');
  });
});

describe('toWarnings', () => {
  it('makes each warning one clean line, drops empties and duplicates', () => {
    expect(toWarnings(['a\nb', '  ', 'a b', 'c\u0007d', 'x\u202Ey'])).toEqual(['a b', 'c d', 'x y']);
  });

  it('cuts each warning to MAX_WARNING_CHARS with …', () => {
    const [w] = toWarnings(['é'.repeat(1000)]);
    expect(runes(w ?? '')).toBe(MAX_WARNING_CHARS);
    expect(w?.endsWith('…')).toBe(true);
  });

  it('keeps the total within MAX_WARNINGS_TOTAL_CHARS and says how many were left out', () => {
    const many = Array.from({ length: 40 }, (_, i) => `${i}:` + 'w'.repeat(200));
    const out = toWarnings(many);
    const total = out.reduce((n, w) => n + runes(w), 0);
    expect(total).toBeLessThanOrEqual(MAX_WARNINGS_TOTAL_CHARS);
    expect(out.length).toBeLessThan(many.length);
    expect(out[out.length - 1]).toBe(
      `${many.length - (out.length - 1)} more warnings left out; the Portcullis log has them all`,
    );
    for (const w of out) expect(w).not.toMatch(CONTROL);
  });

  it('keeps everything when the total fits exactly', () => {
    const exact = Array.from({ length: MAX_WARNINGS_TOTAL_CHARS / 256 }, (_, i) =>
      String(i).padEnd(256, 'x'),
    );
    expect(toWarnings(exact)).toEqual(exact);
  });
});

describe('audit annotation keys', () => {
  const table: [string, string][] = [
    ['break-glass', 'break-glass'],
    ['Break-Glass', 'break-glass'],
    ['portcullis.dev/break-glass', 'portcullis.dev-break-glass'],
    ['image policy!', 'image-policy'],
    ['-leading.and.trailing_', 'leading.and.trailing'],
    ['k'.repeat(100), 'k'.repeat(MAX_AUDIT_ANNOTATION_KEY_CHARS)],
    ['k'.repeat(62) + '-x', 'k'.repeat(62)],
    ['!!!', ''],
    ['ü', ''],
  ];
  it.each(table)('%j → %j', (raw, expected) => {
    const key = toAuditAnnotationKey(raw);
    expect(key).toBe(expected);
    if (key !== '') expect(isAuditAnnotationKey(key)).toBe(true);
  });

  it.each([['UPPER'], ['a/b'], ['-a'], ['a-'], [''], ['k'.repeat(64)]])('%j is not a valid key', (key) => {
    expect(isAuditAnnotationKey(key)).toBe(false);
  });

  it('bounds values and count, drops keys that clean to nothing, first wins on collision', () => {
    const annotations: Record<string, string> = {
      '!!!': 'dropped',
      'A-B': 'first',
      'a-b': 'second',
      long: 'v'.repeat(5000),
    };
    for (let i = 0; i < 100; i++) annotations[`k${i}`] = 'x\ny';
    const out =
      toAdmissionReview(UID, decision({ auditAnnotations: annotations })).response.auditAnnotations ?? {};
    expect(Object.keys(out)).toHaveLength(MAX_AUDIT_ANNOTATIONS);
    expect(out['a-b']).toBe('first');
    expect(runes(out.long ?? '')).toBe(MAX_AUDIT_ANNOTATION_VALUE_CHARS);
    expect(out.k0).toBe('x y');
    for (const key of Object.keys(out)) expect(isAuditAnnotationKey(key)).toBe(true);
  });
});

describe('toErrorReview', () => {
  const table: [string, number, string][] = [
    ['ADMISSION_MALFORMED', 400, 'BadRequest'],
    ['ADMISSION_UNSUPPORTED_VERSION', 400, 'BadRequest'],
    ['ADMISSION_MISSING_UID', 400, 'BadRequest'],
    ['ADMISSION_BODY_TOO_LARGE', 413, 'RequestEntityTooLarge'],
    ['ADMISSION_TOO_MANY_CONTAINERS', 403, 'Forbidden'],
    ['ADMISSION_DEADLINE_EXCEEDED', 504, 'Timeout'],
    ['REGISTRY_SOMETHING', 500, 'InternalError'],
  ];
  it.each(table)('%s → %s %s', (code, status, reason) => {
    const review = toErrorReview(UID, code, 'what went wrong');
    expect(review).toEqual({
      apiVersion: ADMISSION_API_VERSION,
      kind: 'AdmissionReview',
      response: {
        uid: UID,
        allowed: false,
        status: { code: status, reason, message: `[${code}] what went wrong` },
      },
    });
  });

  it('bounds and cleans the message', () => {
    const m =
      toErrorReview(UID, 'ADMISSION_MALFORMED', 'x\u0000'.repeat(MAX_MESSAGE_BYTES)).response.status
        ?.message ?? '';
    expect(Buffer.byteLength(m)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(m).not.toContain('\u0000');
  });
});

describe('what the policy layer bounds', () => {
  it('passes an audit value bounded by the policy layer through whole, with its count of left-out parts', () => {
    const parts = Array.from(
      { length: 200 },
      (_, i) => `policy-${i} registry.example/app@sha256:${'a'.repeat(12)}`,
    );
    const value = boundedJoin(parts, ' | ', MAX_ANNOTATION_VALUE_CHARS);
    const out = toAdmissionReview(UID, decision({ auditAnnotations: { 'audit-failures': value } })).response
      .auditAnnotations?.['audit-failures'];
    expect(out).toBe(value);
    expect(out).toMatch(/ more\)$/);
  });

  it('passes a warning bounded by the policy layer through whole', () => {
    const warning = 'w'.repeat(MAX_WARNING_CHARS);
    expect(toWarnings([warning])).toEqual([warning]);
  });
});
