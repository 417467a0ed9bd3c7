// Test helpers that alter a sigstore bundle's JSON in place, for the adversarial keyless tests.
export type Json = Record<string, unknown>;

// flipped changes the first byte of base64 data, keeping it valid base64 of the same length.
export function flipped(b64: string): string {
  const bytes = Buffer.from(b64, 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 0xff;
  return bytes.toString('base64');
}

export type ProofJson = Json & { hashes: string[]; checkpoint: { envelope: string } };

// entryOf is the first transparency-log entry of a bundle (a mutable view of its JSON).
export function entryOf(bundle: Json): Json & { inclusionProof: ProofJson } {
  const material = bundle['verificationMaterial'] as { tlogEntries: unknown[] };
  return material.tlogEntries[0] as ReturnType<typeof entryOf>;
}
