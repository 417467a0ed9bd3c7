import type { CelFunc, parse } from '@bufbuild/cel';

type ParsedExpr = ReturnType<typeof parse>;
type Expr = ParsedExpr['expr'];

/** A static CEL type, by name: `bool`, `int`, `string`, `list`, `map`, `google.protobuf.Timestamp`, … or `dyn`. */
type StaticType = string;

/** A type error found before evaluation, at the expression node `id`. */
export class CheckError extends Error {
  constructor(
    readonly id: bigint,
    message: string,
  ) {
    super(message);
  }
}

/** The variables a condition sees, with their static types. */
const GLOBALS: ReadonlyMap<string, StaticType> = new Map([
  ['predicate', 'dyn'],
  ['predicateType', 'string'],
]);
/** Type names usable as values, as in `type(x) == string`. */
const TYPE_NAMES = new Set([
  'bool',
  'int',
  'uint',
  'double',
  'string',
  'bytes',
  'list',
  'map',
  'null_type',
  'type',
  'dyn',
]);
/** Types that have no fields and cannot be indexed or iterated. */
const SCALARS = new Set(['bool', 'int', 'uint', 'double', 'string', 'bytes', 'null_type', 'type']);
const CONSTANT_TYPES: Readonly<Record<string, StaticType>> = {
  boolValue: 'bool',
  int64Value: 'int',
  uint64Value: 'uint',
  doubleValue: 'double',
  stringValue: 'string',
  bytesValue: 'bytes',
  nullValue: 'null_type',
};

interface Scope {
  readonly names: ReadonlyMap<string, StaticType>;
  readonly parent?: Scope;
}

/**
 * Checks a parsed condition against the declared variables and the functions of `funcs`, and returns its
 * static type (`dyn` when it depends on the predicate). Throws CheckError for an undeclared name, an unknown
 * function, a call that no overload accepts, or a field or index on a scalar. @bufbuild/cel 0.6.1 has no
 * public checker, so this one is deliberately conservative: it reports only what must fail at run time.
 */
export function checkCondition(expr: Expr, funcs: readonly CelFunc[]): StaticType {
  const byName = new Map<string, CelFunc[]>();
  for (const f of funcs) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  return typeOf(expr, { names: GLOBALS }, byName);
}

// lookup finds a name in the comprehension scopes, then the globals.
function lookup(scope: Scope | undefined, name: string): StaticType | undefined {
  for (let s = scope; s !== undefined; s = s.parent) {
    const t = s.names.get(name);
    if (t !== undefined) return t;
  }
  return undefined;
}

// typeOf infers one node's static type, checking its children first.
function typeOf(expr: Expr, scope: Scope, funcs: ReadonlyMap<string, CelFunc[]>): StaticType {
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'constExpr':
      return CONSTANT_TYPES[kind.value.constantKind.case ?? ''] ?? 'dyn';
    case 'identExpr': {
      const t = lookup(scope, kind.value.name);
      if (t !== undefined) return t;
      if (TYPE_NAMES.has(kind.value.name)) return 'type';
      throw new CheckError(
        expr.id,
        `undeclared reference to '${kind.value.name}' (the variables are predicate and predicateType)`,
      );
    }
    case 'selectExpr': {
      const operand = kind.value.operand;
      const t = operand === undefined ? 'dyn' : typeOf(operand, scope, funcs);
      if (SCALARS.has(t) || t === 'list')
        throw new CheckError(expr.id, `a ${t} has no field '${kind.value.field}'`);
      return kind.value.testOnly ? 'bool' : 'dyn';
    }
    case 'callExpr':
      return callType(expr.id, kind.value, scope, funcs);
    case 'listExpr':
      for (const element of kind.value.elements) typeOf(element, scope, funcs);
      return 'list';
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') typeOf(entry.keyKind.value, scope, funcs);
        if (entry.value !== undefined) typeOf(entry.value, scope, funcs);
      }
      return kind.value.messageName === '' ? 'map' : 'dyn';
    case 'comprehensionExpr': {
      const c = kind.value;
      const range = c.iterRange === undefined ? 'dyn' : typeOf(c.iterRange, scope, funcs);
      if (SCALARS.has(range))
        throw new CheckError(c.iterRange?.id ?? expr.id, `cannot iterate over a ${range}`);
      const accu = c.accuInit === undefined ? 'dyn' : typeOf(c.accuInit, scope, funcs);
      const accuScope: Scope = { names: new Map([[c.accuVar, accu]]), parent: scope };
      const iterNames = new Map([[c.iterVar, 'dyn']]);
      if (c.iterVar2 !== '') iterNames.set(c.iterVar2, 'dyn');
      const loopScope: Scope = { names: iterNames, parent: accuScope };
      if (c.loopCondition !== undefined) typeOf(c.loopCondition, loopScope, funcs);
      if (c.loopStep !== undefined) typeOf(c.loopStep, loopScope, funcs);
      return c.result === undefined ? 'dyn' : typeOf(c.result, accuScope, funcs);
    }
    case undefined:
      return 'dyn';
  }
}

type Call = Extract<Expr['exprKind'], { case: 'callExpr' }>['value'];

// callType checks a call: the logical operators and indexing built into the evaluator, else an overload.
function callType(id: bigint, call: Call, scope: Scope, funcs: ReadonlyMap<string, CelFunc[]>): StaticType {
  const target = call.target === undefined ? undefined : typeOf(call.target, scope, funcs);
  const args = call.args.map((arg) => typeOf(arg, scope, funcs));
  switch (call.function) {
    case '_&&_':
    case '_||_':
      args.forEach((t, i) => {
        if (t !== 'bool' && t !== 'dyn')
          throw new CheckError(call.args[i]?.id ?? id, `expected a bool, not a ${t}`);
      });
      return 'bool';
    case '@not_strictly_false':
    case 'not_strictly_false':
      return 'bool';
    case '_?_:_': {
      const [cond, yes, no] = args;
      if (cond !== 'bool' && cond !== 'dyn')
        throw new CheckError(call.args[0]?.id ?? id, `expected a bool, not a ${cond}`);
      return yes === no ? (yes ?? 'dyn') : 'dyn';
    }
    case '_[_]':
      if (SCALARS.has(args[0] ?? 'dyn')) throw new CheckError(id, `a ${args[0]} cannot be indexed`);
      return 'dyn';
    default:
      return overloadType(id, call.function, target, args, funcs);
  }
}

// overloadType finds the overloads a call may reach and returns their common result type.
function overloadType(
  id: bigint,
  name: string,
  target: StaticType | undefined,
  args: readonly StaticType[],
  funcs: ReadonlyMap<string, CelFunc[]>,
): StaticType {
  const shaped = (funcs.get(name) ?? []).filter(
    (f) => (f.target === undefined) === (target === undefined) && f.arguments.length === args.length,
  );
  if (shaped.length === 0) {
    const what = target === undefined ? 'function' : 'method';
    throw new CheckError(
      id,
      `unknown ${what} '${shownName(name)}' with ${args.length} argument${args.length === 1 ? '' : 's'}`,
    );
  }
  const accepts = (param: { readonly name: string }, arg: StaticType): boolean =>
    param.name === 'dyn' || arg === 'dyn' || param.name === arg;
  const matching = shaped.filter(
    (f) =>
      (f.target === undefined || accepts(f.target, target ?? 'dyn')) &&
      f.arguments.every((p, i) => accepts(p, args[i] ?? 'dyn')),
  );
  if (matching.length === 0) {
    const shown = [...(target === undefined ? [] : [target]), ...args].join(', ');
    throw new CheckError(id, `no overload of '${shownName(name)}' takes (${shown})`);
  }
  const results = new Set(matching.map((f) => f.result.name));
  return results.size === 1 ? ([...results][0] ?? 'dyn') : 'dyn';
}

// shownName writes an operator as in the source: `_+_` as `+`, `!_` as `!`, `@in` as `in`.
function shownName(name: string): string {
  return name === '@in' ? 'in' : name.replace(/^_(.+)_$|^(.+)_$/, '$1$2');
}
