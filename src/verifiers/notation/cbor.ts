import { Decoder, Tag } from 'cbor-x';
import { EnvelopeFormatError } from './headers';
import { MAX_CBOR_DEPTH, MAX_CBOR_ITEMS } from './limits';

// cbor-x is lenient (it accepts indefinite lengths and keeps the last of duplicate keys), so every input is
// first checked by checkStrictCbor, which walks the encoding itself.
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });

/**
 * Decodes one CBOR data item after checking it is well-formed and strict: definite lengths only, no
 * duplicate map keys, no trailing bytes, at most MAX_CBOR_DEPTH deep and MAX_CBOR_ITEMS items. Maps come
 * back as Map, byte strings as Buffer, tag 1 as Date, other tags as cbor-x Tag. `bytes` is attacker-controlled.
 */
export function decodeStrictCbor(bytes: Uint8Array, what: string): unknown {
  checkStrictCbor(bytes, what);
  try {
    return decoder.decode(bytes);
  } catch (error) {
    throw new EnvelopeFormatError(`${what} is not valid CBOR: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** Throws EnvelopeFormatError unless `bytes` is exactly one strict CBOR data item (see decodeStrictCbor). */
export function checkStrictCbor(bytes: Uint8Array, what: string): void {
  const state = { items: 0 };
  let end: number;
  try {
    end = skipItem(bytes, 0, 0, state);
  } catch (error) {
    if (error instanceof RangeError)
      throw new EnvelopeFormatError(`${what}: CBOR ends early (a length runs past the end)`);
    throw error;
  }
  if (end !== bytes.length)
    throw new EnvelopeFormatError(`${what}: ${bytes.length - end} trailing bytes after the CBOR item`);
}

// readHead reads an initial byte and its argument; returns [major type, argument, next offset].
function readHead(b: Uint8Array, at: number, what = 'CBOR'): [number, number, number] {
  const first = byteAt(b, at);
  const major = first >> 5;
  const info = first & 0x1f;
  if (info < 24) return [major, info, at + 1];
  if (info === 31) throw new EnvelopeFormatError(`${what}: indefinite-length items are not accepted`);
  if (info > 27) throw new EnvelopeFormatError(`${what}: reserved additional information ${info}`);
  const size = 1 << (info - 24);
  let n = 0;
  for (let i = 1; i <= size; i++) n = n * 256 + byteAt(b, at + i);
  return [major, n, at + 1 + size];
}

// byteAt reads a byte, treating a read past the end as truncation.
function byteAt(b: Uint8Array, at: number): number {
  const v = b[at];
  if (v === undefined) throw new RangeError('truncated');
  return v;
}

// skipItem walks one data item and returns the offset after it.
function skipItem(b: Uint8Array, at: number, depth: number, state: { items: number }): number {
  if (depth > MAX_CBOR_DEPTH)
    throw new EnvelopeFormatError(`CBOR nests deeper than ${MAX_CBOR_DEPTH} levels`);
  if (++state.items > MAX_CBOR_ITEMS)
    throw new EnvelopeFormatError(`CBOR holds more than ${MAX_CBOR_ITEMS} items`);
  const [major, arg, next] = readHead(b, at);
  switch (major) {
    case 0:
    case 1:
    case 7:
      return next;
    case 2:
    case 3:
      if (next + arg > b.length) throw new RangeError('truncated');
      return next + arg;
    case 4: {
      let p = next;
      for (let i = 0; i < arg; i++) p = skipItem(b, p, depth + 1, state);
      return p;
    }
    case 5: {
      let p = next;
      const keys = new Set<string>();
      for (let i = 0; i < arg; i++) {
        const keyEnd = skipItem(b, p, depth + 1, state);
        const key = Buffer.from(b.subarray(p, keyEnd)).toString('hex');
        if (keys.has(key)) throw new EnvelopeFormatError('CBOR map has a duplicate key');
        keys.add(key);
        p = skipItem(b, keyEnd, depth + 1, state);
      }
      return p;
    }
    default:
      return skipItem(b, next, depth + 1, state);
  }
}

/** Narrows a decoded value to a cbor-x tag with the given number. */
export function isTag(v: unknown, tag: number): v is Tag {
  return v instanceof Tag && v.tag === tag;
}

/** Encodes a byte or text string head + content (major 2 or 3) with a definite, shortest length. */
export function encodeString(major: 2 | 3, content: Uint8Array): Buffer {
  const n = content.length;
  const m = major << 5;
  let head: Buffer;
  if (n < 24) head = Buffer.from([m | n]);
  else if (n < 0x100) head = Buffer.from([m | 24, n]);
  else if (n < 0x10000) head = Buffer.from([m | 25, n >> 8, n & 0xff]);
  else {
    head = Buffer.alloc(5);
    head[0] = m | 26;
    head.writeUInt32BE(n, 1);
  }
  return Buffer.concat([head, content]);
}
