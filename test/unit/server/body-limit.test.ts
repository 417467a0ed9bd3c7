// The server reads AdmissionReviews up to the size the admission layer defines, and refuses larger ones.
import pino from 'pino';
import { MAX_ADMISSION_REVIEW_BYTES } from '../../../src/admission';
import type { AppOptions } from '../../../src/server/app-options.types';
import { buildApp } from '../../../src/server/app';
import { Metrics } from '../../../src/observability/metrics';

// unreachable fails a test that got further than the body limit and the uid check.
const unreachable = (): never => {
  throw new Error('no review should be evaluated here');
};

const options: AppOptions = {
  logger: pino({ level: 'silent' }),
  metrics: new Metrics(),
  policies: { current: unreachable, ready: () => true },
  evaluate: unreachable,
  pin: unreachable,
};

// bodyOf builds a JSON body of exactly `bytes` bytes with no request.uid (the server answers 400).
function bodyOf(bytes: number): string {
  const frame = '{"pad":""}';
  return `{"pad":"${'x'.repeat(bytes - frame.length)}"}`;
}

describe('request body limit', () => {
  const app = buildApp(options);
  afterAll(() => app.close());

  it.each([
    [
      'reads a body of exactly MAX_ADMISSION_REVIEW_BYTES',
      MAX_ADMISSION_REVIEW_BYTES,
      400,
      'ADMISSION_MISSING_UID',
    ],
    ['refuses one byte more with HTTP 413', MAX_ADMISSION_REVIEW_BYTES + 1, 413, 'ADMISSION_BODY_TOO_LARGE'],
  ])('%s', async (_name, bytes, status, code) => {
    const res = await app.inject({
      method: 'POST',
      url: '/validate',
      payload: bodyOf(bytes),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ code });
  });
});
