// Plays the API server against a real `portcullis serve` over HTTPS: one AdmissionReview POST, or /mutate with
// its patch applied and then /validate, over keep-alive connections. Shared by the replica tests and the
// cluster benchmarks.
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:https';
import { applyPatch } from './json-patch';
import type { RunningServe } from './serve';
import { admissionReview, patchOf, podObject, type ReviewResponse } from './webhook';

/** An AdmissionReview of a Pod with one container per image (`c0`, `c1`, …), with a fresh uid. */
export function podReview(...images: readonly string[]): Record<string, unknown> {
  const containers = Object.fromEntries(images.map((image, i) => [`c${i}`, image]));
  return admissionReview(podObject(containers), { uid: `uid-${randomBytes(4).toString('hex')}` });
}

/** Keep-alive agents by trusted CA, as the API server keeps its connections to a webhook open. */
const agents = new Map<string, Agent>();

// agentFor answers the keep-alive agent trusting only `ca`.
function agentFor(ca: string): Agent {
  let agent = agents.get(ca);
  if (agent === undefined) {
    agent = new Agent({ keepAlive: true, maxSockets: 64, ca });
    agents.set(ca, agent);
  }
  return agent;
}

/** Closes the keep-alive connections of every agent (so that a process can exit). */
export function closeAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

/**
 * POSTs one review to `url` of a replica over a keep-alive connection trusting only `ca`; an HTTP status other
 * than 200, or a connection error, throws.
 */
export function reviewOn(
  replica: RunningServe,
  ca: string,
  url: '/mutate' | '/validate',
  body: Record<string, unknown>,
): Promise<ReviewResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: replica.port,
        method: 'POST',
        path: url,
        agent: agentFor(ca),
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200)
            reject(new Error(`${url} answered HTTP ${res.statusCode ?? 0}: ${text}`));
          else resolve((JSON.parse(text) as { response: ReviewResponse }).response);
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** /mutate on one replica, its patch applied as the API server would, then /validate there (with the warnings of both). */
export async function admitOn(
  replica: RunningServe,
  ca: string,
  body: Record<string, unknown>,
): Promise<ReviewResponse> {
  const mutated = await reviewOn(replica, ca, '/mutate', body);
  const req = body.request as Record<string, unknown>;
  const object = applyPatch(req.object, patchOf(mutated));
  const validated = await reviewOn(replica, ca, '/validate', { ...body, request: { ...req, object } });
  // The user sees the warnings of both webhooks, as kubectl prints them.
  const warnings = [...(mutated.warnings ?? []), ...(validated.warnings ?? [])];
  return { ...validated, ...(warnings.length > 0 ? { warnings } : {}) };
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
