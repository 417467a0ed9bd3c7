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
 * The functions every comprehension's range and loop condition go through (see meterComprehensions). Their
 * `@` cannot be written in an expression, so a policy can neither call nor shadow them.
 */
const RANGE_FUNCTION = '@portcullis_range';
const STEP_FUNCTION = '@portcullis_step';

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
 * `predicateType` (string) declared, and the two functions meterComprehensions routes comprehensions through.
 */
export function meteredEnv(meter: CostMeter) {
  const range = celFunc(RANGE_FUNCTION, [CelScalar.DYN], CelScalar.DYN, (value: CelValue) => {
    meter.charge(1 + (isCelList(value) || isCelMap(value) ? value.size : 0));
    return value;
  });
  const step = celFunc(
    STEP_FUNCTION,
    [CelScalar.DYN, CelScalar.INT],
    CelScalar.DYN,
    (cond: CelValue, weight: bigint) => {
      meter.charge(Number(weight));
      return cond;
    },
  );
  const funcs = [...celEnv().funcs].map((f) => metered(f, meter));
  return celEnv({
    funcs: [...funcs, range, step],
    variables: { predicate: CelScalar.DYN, predicateType: CelScalar.STRING },
  });
}

/**
 * Meters every comprehension (`all`, `exists`, `exists_one`, `map`, `filter`, nested or not), in place. Its range
 * goes through RANGE_FUNCTION, which charges one unit per element before the library copies them, and its loop
 * condition through STEP_FUNCTION, which charges each iteration the size of the loop body (in expression nodes)
 * and, once the budget is gone, ends the comprehension at its next iteration instead of letting it run on.
 * @bufbuild/cel 0.6.1 has no cost tracking of its own; without this, `l.all(x, l.all(y, true))` costs |l|².
 */
export function meterComprehensions(expr: Expr, nextId: { value: bigint }): void {
  for (const child of children(expr)) meterComprehensions(child, nextId);
  if (expr.exprKind.case !== 'comprehensionExpr') return;
  const c = expr.exprKind.value;
  const weight = nodes(c.loopCondition) + nodes(c.loopStep);
  if (c.iterRange !== undefined) c.iterRange = call(RANGE_FUNCTION, [c.iterRange], nextId);
  if (c.loopCondition !== undefined) {
    c.loopCondition = call(STEP_FUNCTION, [c.loopCondition, intConstant(weight, nextId)], nextId);
  }
}

// children lists the sub-expressions of one node.
function children(expr: Expr): Expr[] {
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'comprehensionExpr': {
      const c = kind.value;
      return [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result].filter((e) => e !== undefined);
    }
    case 'callExpr':
      return [...(kind.value.target === undefined ? [] : [kind.value.target]), ...kind.value.args];
    case 'selectExpr':
      return kind.value.operand === undefined ? [] : [kind.value.operand];
    case 'listExpr':
      return kind.value.elements;
    case 'structExpr':
      return kind.value.entries.flatMap((entry) => [
        ...(entry.keyKind.case === 'mapKey' ? [entry.keyKind.value] : []),
        ...(entry.value === undefined ? [] : [entry.value]),
      ]);
    case 'constExpr':
    case 'identExpr':
    case undefined:
      return [];
  }
}

// nodes counts the nodes one iteration evaluates; a nested comprehension counts once (it meters itself).
function nodes(expr: Expr | undefined): number {
  if (expr === undefined) return 0;
  if (expr.exprKind.case === 'comprehensionExpr') return 1;
  return 1 + children(expr).reduce((sum, child) => sum + nodes(child), 0);
}

// call builds `name(args)` with a fresh id (ids index positions; added nodes have none).
function call(name: string, args: Expr[], nextId: { value: bigint }): Expr {
  nextId.value += 1n;
  return {
    $typeName: 'cel.expr.Expr',
    id: nextId.value,
    exprKind: { case: 'callExpr', value: { $typeName: 'cel.expr.Expr.Call', function: name, args } },
  } as Expr;
}

function intConstant(value: number, nextId: { value: bigint }): Expr {
  nextId.value += 1n;
  return {
    $typeName: 'cel.expr.Expr',
    id: nextId.value,
    exprKind: {
      case: 'constExpr',
      value: { $typeName: 'cel.expr.Constant', constantKind: { case: 'int64Value', value: BigInt(value) } },
    },
  } as Expr;
}
