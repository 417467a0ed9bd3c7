import {
  celEnv,
  celFunc,
  celMethod,
  CelScalar,
  isCelError,
  isCelList,
  isCelMap,
  type CelFunc,
  type CelValue,
  type parse,
} from '@bufbuild/cel';
import { MAX_CEL_COST } from '../limits';

type Expr = ReturnType<typeof parse>['expr'];

/**
 * The function that every comprehension's range goes through (see meterRanges). Its `@` cannot be written
 * in an expression, so a policy cannot call it or shadow it.
 */
export const RANGE_FUNCTION = '@portcullis_range';

/** Counts what one evaluation spends; `charge` throws once the budget is gone, and `exhausted` stays set. */
export class CostMeter {
  private spent = 0;
  exhausted = false;

  reset(): void {
    this.spent = 0;
    this.exhausted = false;
  }

  charge(units: number): void {
    this.spent += units;
    if (this.spent > MAX_CEL_COST) {
      this.exhausted = true;
      throw new Error(`cost limit exceeded (more than ${MAX_CEL_COST} units)`);
    }
  }
}

// sizeOf is what scanning a value costs: its length for strings, bytes, lists and maps, else nothing.
function sizeOf(value: CelValue | undefined): number {
  if (typeof value === 'string') return value.length;
  if (value instanceof Uint8Array) return value.length;
  if (isCelList(value) || isCelMap(value)) return value.size;
  return 0;
}

// costOf prices one call: 1, plus what the operation scans. Lists are concatenated lazily, `size` is O(1),
// a map lookup is hashed; equality and `in` on a list walk it; string operations walk their strings.
function costOf(name: string, target: CelValue | undefined, args: readonly CelValue[]): number {
  switch (name) {
    case 'size':
      return 1;
    case '@in':
      return 1 + (isCelList(args[1]) ? args[1].size : sizeOf(args[0]));
    case '_+_':
      return 1 + (isCelList(args[1]) ? args[1].size : sizeOf(args[0]) + sizeOf(args[1]));
    case '_==_':
    case '_!=_':
      return 1 + sizeOf(args[0]) + sizeOf(args[1]);
    default: {
      let units = 1 + (typeof target === 'string' ? target.length : 0);
      for (const arg of args) if (typeof arg === 'string' || arg instanceof Uint8Array) units += arg.length;
      return units;
    }
  }
}

// metered wraps one standard function: same name and signature (so it replaces the original), charging first.
function metered(original: CelFunc, meter: CostMeter): CelFunc {
  const impl = function (this: CelValue | undefined, ...args: CelValue[]): CelValue {
    meter.charge(costOf(original.name, this, args));
    const result = original.call(0, this, args);
    if (result === undefined) throw new Error(`no matching overload for '${original.name}'`);
    if (isCelError(result)) throw new Error(result.message, { cause: result });
    return result;
  };
  return original.target === undefined
    ? celFunc(original.name, original.arguments, original.result, impl)
    : celMethod(original.name, original.target, original.arguments, original.result, impl);
}

/**
 * A CEL environment whose every standard function charges `meter`, with `predicate` (dyn) and
 * `predicateType` (string) declared, and RANGE_FUNCTION charging a comprehension for each element it visits.
 */
export function meteredEnv(meter: CostMeter) {
  const range = celFunc(RANGE_FUNCTION, [CelScalar.DYN], CelScalar.DYN, (value: CelValue) => {
    meter.charge(1 + (isCelList(value) || isCelMap(value) ? value.size : 0));
    return value;
  });
  const funcs = [...celEnv().funcs].map((f) => metered(f, meter));
  return celEnv({
    funcs: [...funcs, range],
    variables: { predicate: CelScalar.DYN, predicateType: CelScalar.STRING },
  });
}

/**
 * Routes every comprehension's range through RANGE_FUNCTION, in place, so that each `all`, `exists`, `map`,
 * `filter` (nested or not) pays for the elements it will visit before it visits them. The library has no cost
 * tracking of its own (0.6.1); without this, `l.all(x, l.all(y, true))` would cost |l|² for free.
 */
export function meterRanges(expr: Expr, nextId: { value: bigint }): void {
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'comprehensionExpr': {
      const c = kind.value;
      for (const child of [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result]) {
        if (child !== undefined) meterRanges(child, nextId);
      }
      if (c.iterRange !== undefined) c.iterRange = rangeCall(c.iterRange, nextId);
      return;
    }
    case 'callExpr':
      if (kind.value.target !== undefined) meterRanges(kind.value.target, nextId);
      for (const arg of kind.value.args) meterRanges(arg, nextId);
      return;
    case 'selectExpr':
      if (kind.value.operand !== undefined) meterRanges(kind.value.operand, nextId);
      return;
    case 'listExpr':
      for (const element of kind.value.elements) meterRanges(element, nextId);
      return;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') meterRanges(entry.keyKind.value, nextId);
        if (entry.value !== undefined) meterRanges(entry.value, nextId);
      }
      return;
    case 'constExpr':
    case 'identExpr':
    case undefined:
      return;
  }
}

// rangeCall builds `@portcullis_range(range)` with a fresh id (ids index positions and types).
function rangeCall(range: Expr, nextId: { value: bigint }): Expr {
  nextId.value += 1n;
  return {
    ...range,
    id: nextId.value,
    exprKind: {
      case: 'callExpr',
      value: { $typeName: 'cel.expr.Expr.Call', function: RANGE_FUNCTION, args: [range] },
    },
  } as Expr;
}
