// Plays the API server against a real `portcullis serve` over HTTPS: one AdmissionReview POST, or /mutate with
// its patch applied and then /validate. Shared by the replica tests and the cluster benchmarks.
import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { applyPatch } from './json-patch';
import { postJson, type RunningServe } from './serve';
import { admissionReview, patchOf, podObject, type ReviewResponse } from './webhook';

/** An AdmissionReview of a Pod with one container per image (`c0`, `c1`, …), with a fresh uid. */
export function podReview(...images: readonly string[]): Record<string, unknown> {
  const containers = Object.fromEntries(images.map((image, i) => [`c${i}`, image]));
  return admissionReview(podObject(containers), { uid: `uid-${randomBytes(4).toString('hex')}` });
}

/** POSTs one review to `url` of a replica trusting only `ca`; an HTTP status other than 200 throws. */
export async function reviewOn(
  replica: RunningServe,
  ca: string,
  url: '/mutate' | '/validate',
  body: Record<string, unknown>,
): Promise<ReviewResponse> {
  const res = await postJson(replica.port, ca, url, body);
  if (res.status !== 200) throw new Error(`${url} answered HTTP ${res.status}: ${JSON.stringify(res.body)}`);
  return (res.body as { response: ReviewResponse }).response;
}

/** /mutate on one replica, its patch applied as the API server would, then /validate there. */
export async function admitOn(
  replica: RunningServe,
  ca: string,
  body: Record<string, unknown>,
): Promise<ReviewResponse> {
  const mutated = await reviewOn(replica, ca, '/mutate', body);
  const req = body.request as Record<string, unknown>;
  const object = applyPatch(req.object, patchOf(mutated));
  return reviewOn(replica, ca, '/validate', { ...body, request: { ...req, object } });
}

/** GET /metrics of a replica over HTTPS, as text. */
export function metricsText(replica: RunningServe, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: replica.port, path: '/metrics', ca, agent: false },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** One series of a counter in a /metrics text, e.g. `name{label="x"}` (0 when absent). */
export function counterIn(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}
