import { celType, isCelError, parse, plan, type CelError, type CelResult } from '@bufbuild/cel';
import type { CompiledCondition, ConditionInput } from '../compile/compiled.types';
import { MAX_CEL_LENGTH } from '../crd/schema';
import type { FieldError } from '../errors';
import { CheckError, checkCondition } from './cel-check';
import { CostMeter, meteredEnv, meterComprehensions } from './cel-cost';
import { toCelJson, type CelJson } from './cel-value';

type ParsedExpr = ReturnType<typeof parse>;

/** What the library's parser throws: peggy's syntax error with its location. */
interface SyntaxErrorShape {
  readonly rawMessage?: unknown;
  readonly location?: { readonly start?: { readonly line?: unknown; readonly column?: unknown } };
}

/**
 * Compiles one CEL condition once; a FieldError (code POLICY_CEL_INVALID) locates a syntax or type error.
 *
 * The condition sees `predicate` (dyn: the in-toto predicate as JSON, integers as CEL ints) and
 * `predicateType` (string). It must produce a bool: `evaluate` returns `true` or `false`, and
 * `{ error }` for anything else (a missing key, a type mismatch, overflow, a non-bool result, a predicate
 * or a cost over the limits in policy/limits.ts). It never throws; callers treat an error as a failed condition.
 */
export function compileCondition(source: string, path: string): CompiledCondition | FieldError {
  const invalid = (message: string): FieldError => ({ path, code: 'POLICY_CEL_INVALID', message });
  if (source.trim() === '') return invalid('the expression is empty');
  if (source.length > MAX_CEL_LENGTH)
    return invalid(`the expression is longer than ${MAX_CEL_LENGTH} characters`);
  let parsed: ParsedExpr;
  try {
    parsed = parse(source);
  } catch (e) {
    return invalid(syntaxMessage(e));
  }
  const meter = new CostMeter();
  const env = meteredEnv(meter);
  try {
    const type = checkCondition(parsed.expr, [...env.funcs]);
    if (type !== 'bool' && type !== 'dyn') {
      return invalid(`the expression produces a ${type}; a condition must produce a bool`);
    }
    meterComprehensions(parsed.expr, { value: maxId(parsed) });
    const program = plan(env, parsed);
    const at = (id: bigint | undefined): string | undefined => {
      const offset = id === undefined ? undefined : parsed.sourceInfo?.positions[id.toString()];
      return offset === undefined ? undefined : lineColumn(source, offset);
    };
    return { source, evaluate: (input) => evaluate(program, meter, at, input) };
  } catch (e) {
    if (e instanceof CheckError) {
      const offset = parsed.sourceInfo?.positions[e.id.toString()] ?? 0;
      return invalid(`type error at ${lineColumn(source, offset)}: ${e.message}`);
    }
    return invalid(
      isStackOverflow(e)
        ? 'the expression is nested too deeply'
        : `the expression cannot be planned: ${describe(e)}`,
    );
  }
}

/** A planned condition: the library's evaluator over our two variables. */
type Program = (bindings: { readonly predicate: CelJson; readonly predicateType: string }) => CelResult;

// evaluate runs a compiled condition on one predicate; every failure becomes `{ error }` (fail closed).
function evaluate(
  program: Program,
  meter: CostMeter,
  at: (id: bigint | undefined) => string | undefined,
  input: ConditionInput,
): true | false | { readonly error: string } {
  try {
    if (typeof input.predicateType !== 'string') return { error: 'predicateType is not a string' };
    const predicate = predicateValue(input.predicate);
    if ('error' in predicate) return predicate;
    meter.reset();
    const result = withoutStackTraces(() =>
      program({ predicate: predicate.value, predicateType: input.predicateType }),
    );
    if (meter.exhausted) return { error: 'the condition exceeded its cost limit' };
    if (isCelError(result)) return { error: evaluationMessage(result, at) };
    if (typeof result !== 'boolean')
      return { error: `the condition produced a ${celType(result).name}, not a bool` };
    return result;
  } catch (e) {
    if (meter.exhausted) return { error: 'the condition exceeded its cost limit' };
    return { error: isStackOverflow(e) ? 'the predicate or condition is nested too deeply' : describe(e) };
  }
}

/**
 * Runs `fn` with Error.stackTraceLimit at 0. The evaluator makes an Error for every missing key, even one that
 * `||` then discards, and capturing its stack costs more than the rest of the step: an attacker's predicate could
 * make every element of a big list do so. The messages we keep have no use for stacks. Evaluation is synchronous,
 * so nothing else runs before the limit is put back.
 */
function withoutStackTraces<T>(fn: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * Predicates converted once for all the conditions that read them: one attestation is checked against every
 * condition of its rule with the same object. Keys are held weakly, so nothing outlives the request.
 */
const converted = new WeakMap<object, ReturnType<typeof toCelJson>>();

// predicateValue converts (and remembers) one predicate.
function predicateValue(predicate: unknown): { readonly value: CelJson } | { readonly error: string } {
  if (typeof predicate !== 'object' || predicate === null) return toCelJson(predicate);
  let value = converted.get(predicate);
  if (value === undefined) {
    value = toCelJson(predicate);
    converted.set(predicate, value);
  }
  return value;
}

// evaluationMessage prefixes a CEL error with the position of the node that raised it, when known.
function evaluationMessage(error: CelError, at: (id: bigint | undefined) => string | undefined): string {
  const where = at(error.exprId);
  return where === undefined ? describe(error) : `${where}: ${describe(error)}`;
}

// syntaxMessage reads peggy's location, `line:column`, from a parse failure.
function syntaxMessage(e: unknown): string {
  if (isStackOverflow(e)) return 'the expression is nested too deeply';
  const shape = (typeof e === 'object' && e !== null ? e : {}) as SyntaxErrorShape;
  const start = shape.location?.start;
  const raw = typeof shape.rawMessage === 'string' ? shape.rawMessage : describe(e);
  if (typeof start?.line === 'number' && typeof start.column === 'number') {
    return `syntax error at ${start.line}:${start.column}: ${raw}`;
  }
  return `syntax error: ${raw}`;
}

// lineColumn turns a node's offset into 1-based `line:column`, past the blanks the parser counts in the node.
function lineColumn(source: string, nodeOffset: number): string {
  let offset = nodeOffset;
  while (offset < source.length && /\s/.test(source.charAt(offset))) offset += 1;
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  return `${line}:${offset - before.lastIndexOf('\n')}`;
}

// maxId is the largest node id, so that nodes added by meterComprehensions get fresh ones.
function maxId(parsed: ParsedExpr): bigint {
  let max = 0n;
  for (const key of Object.keys(parsed.sourceInfo?.positions ?? {})) {
    const id = BigInt(key);
    if (id > max) max = id;
  }
  return max;
}

function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

// describe is one line from a foreign error.
function describe(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.name;
  return String(e);
}
