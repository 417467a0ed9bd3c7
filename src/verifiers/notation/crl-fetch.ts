import { request } from 'undici';
import { CRL_FETCH_TIMEOUT_MS, MAX_CRL_BYTES } from './limits';
import type { CrlFetcher } from './revocation';

/**
 * Fetches CRLs over plain HTTP(S) with undici: no credentials, no redirects, at most MAX_CRL_BYTES, and
 * within CRL_FETCH_TIMEOUT_MS or the request deadline, whichever comes first. The URL comes from a
 * certificate (attacker-controlled until the chain verifies, which it has by the time this runs).
 */
export const undiciCrlFetcher: CrlFetcher = {
  async fetch(url: string, deadline: number): Promise<Buffer> {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not an http(s) URL');
    const budget = Math.min(CRL_FETCH_TIMEOUT_MS, deadline - Date.now());
    if (budget <= 0) throw new Error('no time left before the request deadline');
    const res = await request(parsed, { method: 'GET', signal: AbortSignal.timeout(budget) });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`HTTP ${res.statusCode}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_CRL_BYTES) {
        res.body.destroy();
        throw new Error(`larger than ${MAX_CRL_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  },
};
