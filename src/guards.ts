// Type guards for parsed JSON and YAML, shared by every layer (each reads attacker- or user-controlled documents).

/** True for a JSON object or YAML mapping: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
