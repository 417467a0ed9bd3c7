// The `@ts-expect-error` lines are the real test: `npm run typecheck` fails if the builder stops
// catching a field without schema, a schema of the wrong type, or a wrong optional/required choice.
import {
  boolean,
  enumeration,
  integer,
  object,
  optional,
  string,
} from '../../../../src/policy/crd/schema-builder';
import { validateAgainstSchema } from '../../../../src/policy/crd/schema-validate';
import type { FieldError } from '../../../../src/policy/errors';

interface Sample {
  name: string;
  mode?: 'a' | 'b';
  count?: number;
  on: boolean;
}

const s = string({ maxLength: 10 });

describe('schema builder', () => {
  test('derives required from non-optional properties and writes defaults', () => {
    const schema = object<Sample>({
      name: s,
      mode: optional(enumeration(['a', 'b'] as const), 'a'),
      count: optional(integer({})),
      on: boolean(),
    });
    expect(schema.node.required).toEqual(['name', 'on']);
    expect(schema.node.properties?.mode).toMatchObject({ enum: ['a', 'b'], default: 'a' });
  });

  test('rejects at compile time what does not match the type', () => {
    const m = optional(enumeration(['a', 'b'] as const));
    const c = optional(integer({}));
    const on = boolean();
    // @ts-expect-error a property of the type has no schema
    object<Sample>({ name: s, mode: m, on });
    // @ts-expect-error a schema for a property the type does not have
    object<Sample>({ name: s, mode: m, count: c, on, extra: optional(s) });
    // @ts-expect-error an enum narrower than the type
    object<Sample>({ name: s, mode: optional(enumeration(['a'] as const)), count: c, on });
    // @ts-expect-error a plain string where the type is an enum
    object<Sample>({ name: s, mode: optional(s), count: c, on });
    // @ts-expect-error a required property marked optional
    object<Sample>({ name: optional(s), mode: m, count: c, on });
    // @ts-expect-error an optional property given as required
    object<Sample>({ name: s, mode: enumeration(['a', 'b'] as const), count: c, on });
    expect(object<Sample>({ name: s, mode: m, count: c, on }).node.type).toBe('object');
  });

  test('validation reports type, enum, required and unknown fields with paths', () => {
    const schema = object<Sample>({
      name: s,
      mode: optional(enumeration(['a', 'b'] as const)),
      count: optional(integer({ minimum: 1 })),
      on: boolean(),
    });
    const errors: FieldError[] = [];
    validateAgainstSchema(
      { name: 'x'.repeat(11), mode: 'c', count: 0, nmae: 1 },
      schema.node,
      'spec',
      errors,
    );
    expect(errors.map((e) => `${e.path} ${e.code}`).sort()).toEqual([
      'spec.count POLICY_FIELD_VALUE',
      'spec.mode POLICY_FIELD_VALUE',
      'spec.name POLICY_FIELD_VALUE',
      'spec.nmae POLICY_FIELD_UNKNOWN',
      'spec.on POLICY_FIELD_REQUIRED',
    ]);
  });
});
