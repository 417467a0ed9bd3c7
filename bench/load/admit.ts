// Plays the API server against a webhook on 127.0.0.1: one AdmissionReview POST, or /mutate with its patch
// applied and then /validate, over a keep-alive agent.
import { Agent, request } from 'node:http';
import { applyPatch } from '../../test/harness/json-patch';
import { patchOf, type ReviewResponse } from '../../test/harness/webhook';

/** Keep-alive connections shared by every admission the bench sends itself (not autocannon's). */
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** POSTs one AdmissionReview and answers its `response` (HTTP 200 expected). */
export function postReview(url: string, body: Record<string, unknown>): Promise<ReviewResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) {
            reject(new Error(`${url} answered HTTP ${res.statusCode ?? 0}: ${text}`));
            return;
          }
          resolve((JSON.parse(text) as { response: ReviewResponse }).response);
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** /mutate, the patch applied as the API server would, then /validate on the pinned object. */
export async function admitThroughBoth(base: string, body: Record<string, unknown>): Promise<ReviewResponse> {
  const mutated = await postReview(`${base}/mutate`, body);
  const req = body.request as Record<string, unknown>;
  const object = applyPatch(req.object, patchOf(mutated));
  return postReview(`${base}/validate`, { ...body, request: { ...req, object } });
}

/** Throws unless the webhook allowed the review. */
export function expectAllowed(r: ReviewResponse, what: string): void {
  if (!r.allowed) throw new Error(`${what} was denied: ${r.status?.message ?? '(no message)'}`);
}
