// The admission routes read each review once: /validate and /mutate hand the engine the facts the admission
// layer reads from the decoded request (toAdmissionFacts), once per request, and a pod spec that cannot be read
// is denied by /validate with its code and left unpatched by /mutate (which never denies).
import pino from 'pino';
import { decodeAdmissionReview, toAdmissionFacts, type AdmissionFacts } from '../../../src/admission';
import { ADMIT_UNREVIEWED } from '../../../src/engine/evaluate-request';
import { Metrics } from '../../../src/observability/metrics';
import type { AppOptions } from '../../../src/server/app-options.types';
import { buildApp } from '../../../src/server/app';
import { loadFixture } from '../admission/load-fixture';

// routeApp builds the app around an engine that records the facts each endpoint hands it.
function routeApp() {
  const evaluated: AdmissionFacts[] = [];
  const pinned: AdmissionFacts[] = [];
  const options: AppOptions = {
    logger: pino({ level: 'silent' }),
    metrics: new Metrics(),
    policies: { current: () => ({ policies: [], broken: [] }), ready: () => true },
    evaluate: async (facts) => {
      evaluated.push(facts);
      return { decision: ADMIT_UNREVIEWED, uses: facts.judged, reviewed: true };
    },
    pin: async (facts) => {
      pinned.push(facts);
      return { pins: [], failures: [] };
    },
  };
  return { app: buildApp(options), evaluated, pinned };
}

describe('admission routes', () => {
  it.each(['pod', 'update-with-image-change', 'deployment', 'delete'])(
    '%s: each endpoint hands the engine the facts of the decoded request, once',
    async (name) => {
      const { app, evaluated, pinned } = routeApp();
      const body = loadFixture('valid', name);
      const expected = toAdmissionFacts(decodeAdmissionReview(body).request);
      for (const url of ['/validate', '/mutate']) {
        const res = await app.inject({ method: 'POST', url, payload: body as object });
        expect(res.json()).toMatchObject({ response: { allowed: true } });
      }
      expect(evaluated).toEqual([expected]);
      expect(pinned).toEqual([expected]);
      await app.close();
    },
  );

  it.each([
    ['containers-not-array', 'ADMISSION_MALFORMED'],
    ['too-many-containers', 'ADMISSION_TOO_MANY_CONTAINERS'],
  ])(
    '%s: /validate denies with %s and /mutate admits unpatched, neither asks the engine',
    async (name, code) => {
      const { app, evaluated, pinned } = routeApp();
      const body = loadFixture('invalid', name) as object;
      const validate = (await app.inject({ method: 'POST', url: '/validate', payload: body })).json();
      expect(validate.response.allowed).toBe(false);
      expect(validate.response.status.message).toContain(`[${code}]`);
      const mutate = (await app.inject({ method: 'POST', url: '/mutate', payload: body })).json();
      expect(mutate.response.allowed).toBe(true);
      expect(mutate.response.patch).toBeUndefined();
      expect([evaluated, pinned]).toEqual([[], []]);
      await app.close();
    },
  );
});
