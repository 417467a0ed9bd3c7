// Reads a response body with a hard byte limit and an optional running digest; a registry may lie or chunk.
import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';

/** What was read; `digest` is `algorithm:hex` when a hash was asked for. */
export interface ReadBody {
  readonly bytes: Buffer;
  readonly digest?: string;
}

/** Thrown (internally) when the body grows past the limit; the caller maps it to its own error code. */
export class BodyTooLarge extends Error {
  constructor(
    readonly limit: number,
    readonly declared?: number,
  ) {
    super(`response body over ${limit} bytes`);
  }
}

/** The declared Content-Length, or undefined when absent or not a plain decimal number (attacker-controlled). */
export function declaredLength(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || !/^\d{1,16}$/.test(v.trim())) return undefined;
  return Number(v.trim());
}

/**
 * Reads at most `limit` bytes. Refuses up front when Content-Length says more, and stops reading (destroying
 * the stream, which closes the connection) as soon as the running total passes the limit.
 * With `truncate`, silently keeps the first `limit` bytes instead (for error bodies we only quote).
 */
export async function readLimited(
  body: Readable,
  limit: number,
  options: { contentLength?: number; hash?: 'sha256' | 'sha512'; truncate?: boolean } = {},
): Promise<ReadBody> {
  if (options.contentLength !== undefined && options.contentLength > limit && !options.truncate) {
    abandon(body);
    throw new BodyTooLarge(limit, options.contentLength);
  }
  const hash: Hash | undefined = options.hash === undefined ? undefined : createHash(options.hash);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const room = limit - total;
    if (chunk.length > room) {
      if (options.truncate) {
        chunks.push(chunk.subarray(0, room));
        total = limit;
        abandon(body);
        break;
      }
      abandon(body);
      throw new BodyTooLarge(limit, options.contentLength);
    }
    chunks.push(chunk);
    hash?.update(chunk);
    total += chunk.length;
  }
  const bytes = Buffer.concat(chunks, total);
  return hash === undefined ? { bytes } : { bytes, digest: `${options.hash}:${hash.digest('hex')}` };
}

/** Drains and discards a body we do not need, bounded, so the connection can be reused or is closed. */
export async function discard(body: Readable, limit: number): Promise<void> {
  try {
    await readLimited(body, limit, { truncate: true });
  } catch {
    abandon(body);
  }
}

// abandon closes a body we will not read further; the abort error it emits is expected, so it is swallowed.
function abandon(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}
