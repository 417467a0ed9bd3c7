// The shared jest matchers, registered for every project through jest.config.js (setupFilesAfterEnv).
//
//   expect(() => parse(x)).toThrowWithCode('REFERENCE_INVALID');
//   await expect(client.resolve(ref)).rejects.toThrowWithCode('REGISTRY_UNREACHABLE', { instanceOf: RegistryError });
//
// A failing match prints the code, class and message that were thrown (or that nothing was).

/** A substring of a message, a pattern for it, or an asymmetric matcher such as expect.not.stringContaining. */
export type MessageExpectation = string | RegExp | jest.AsymmetricMatcher;

/** What a thrown error must also be, beyond carrying the code. */
export interface ThrownErrorExpectation {
  /** The class the error must be an instance of, e.g. AdmissionError. */
  readonly instanceOf?: abstract new (...args: never[]) => unknown;
  /** What the message must match; with a list, every entry must. */
  readonly message?: MessageExpectation | readonly MessageExpectation[];
  /** Entries the error's `details` must hold (compared as toEqual compares, asymmetric matchers allowed). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** The error's `cause`, compared as toEqual compares; when given as undefined, the error must have none. */
  readonly cause?: unknown;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- jest's matcher types live in this namespace
  namespace jest {
    interface Matchers<R> {
      /**
       * Passes when the function throws (or, after `.rejects`, the promise rejects with) an error whose `code`
       * is `code` and that meets `expected`.
       */
      toThrowWithCode(code: string, expected?: ThrownErrorExpectation): R;
    }
  }
}

const MATCHER = 'toThrowWithCode';

// isThenable: a function under toThrowWithCode returned a promise, which it cannot judge synchronously.
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

// thrownBy runs the received function (or takes the rejection reason after .rejects): what was thrown, if anything.
function thrownBy(context: jest.MatcherContext, received: unknown): { value: unknown } | undefined {
  if (context.promise === 'rejects') return { value: received };
  if (context.promise === 'resolves') {
    throw new Error(`${MATCHER}: use .rejects, not .resolves: a resolved promise threw nothing`);
  }
  if (typeof received !== 'function') {
    throw new Error(
      `${MATCHER}: expected a function, or a promise after .rejects, but received ${context.utils.printReceived(received)}`,
    );
  }
  let result: unknown;
  try {
    result = (received as () => unknown)();
  } catch (error) {
    return { value: error };
  }
  if (isThenable(result)) {
    result.then(undefined, () => undefined); // judged nowhere: keep it from surfacing as an unhandled rejection
    throw new Error(
      `${MATCHER}: the function returned a promise; write await expect(promise).rejects.${MATCHER}(...)`,
    );
  }
  return undefined;
}

// field reads a property of a thrown value of any type.
function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

// messageMatches compares a thrown message with a substring, a pattern or an asymmetric matcher.
function messageMatches(
  context: jest.MatcherContext,
  message: unknown,
  expected: MessageExpectation,
): boolean {
  if (typeof expected === 'string') return typeof message === 'string' && message.includes(expected);
  if (expected instanceof RegExp) return typeof message === 'string' && expected.test(message);
  return context.equals(message, expected);
}

// toList reads the message expectation as a list (one entry or several, every one must match).
function toList(expected: ThrownErrorExpectation['message']): readonly MessageExpectation[] {
  if (expected === undefined) return [];
  return Array.isArray(expected)
    ? (expected as readonly MessageExpectation[])
    : [expected as MessageExpectation];
}

// mismatches lists what about the thrown value differs from the expectation (empty: it matches).
function mismatches(
  context: jest.MatcherContext,
  thrown: unknown,
  code: string,
  expected: ThrownErrorExpectation,
): string[] {
  const out: string[] = [];
  if (field(thrown, 'code') !== code) out.push('code');
  if (expected.instanceOf !== undefined && !(thrown instanceof expected.instanceOf)) out.push('class');
  const message = field(thrown, 'message');
  if (!toList(expected.message).every((m) => messageMatches(context, message, m))) out.push('message');
  const details = field(thrown, 'details');
  for (const [key, value] of Object.entries(expected.details ?? {}))
    if (!context.equals(field(details, key), value)) out.push(`details.${key}`);
  if (Object.hasOwn(expected, 'cause') && !context.equals(field(thrown, 'cause'), expected.cause))
    out.push('cause');
  return out;
}

// describeThrown prints what was thrown: its code, class, message and details.
function describeThrown(context: jest.MatcherContext, thrown: unknown): string {
  const { printReceived } = context.utils;
  const className =
    typeof thrown === 'object' && thrown !== null ? (thrown.constructor?.name ?? 'Object') : typeof thrown;
  const lines = [
    `Received code:    ${printReceived(field(thrown, 'code'))}`,
    `Received class:   ${className}`,
    `Received message: ${printReceived(field(thrown, 'message') ?? thrown)}`,
  ];
  const details = field(thrown, 'details');
  if (details !== undefined) lines.push(`Received details: ${printReceived(details)}`);
  const cause = field(thrown, 'cause');
  if (cause !== undefined) lines.push(`Received cause:   ${printReceived(cause)}`);
  return lines.join('\n');
}

// describeExpected prints the expectation, `not` included.
function describeExpected(
  context: jest.MatcherContext,
  code: string,
  expected: ThrownErrorExpectation,
): string {
  const { printExpected } = context.utils;
  const not = context.isNot ? 'not ' : '';
  const lines = [`Expected code:    ${not}${printExpected(code)}`];
  if (expected.instanceOf !== undefined) lines.push(`Expected class:   ${expected.instanceOf.name}`);
  if (expected.message !== undefined) lines.push(`Expected message: ${printExpected(expected.message)}`);
  if (expected.details !== undefined) lines.push(`Expected details: ${printExpected(expected.details)}`);
  if (Object.hasOwn(expected, 'cause')) lines.push(`Expected cause:   ${printExpected(expected.cause)}`);
  return lines.join('\n');
}

// toThrowWithCode: see the Matchers declaration above.
function toThrowWithCode(
  this: jest.MatcherContext,
  received: unknown,
  code: string,
  expected: ThrownErrorExpectation = {},
): jest.CustomMatcherResult {
  const thrown = thrownBy(this, received);
  const hint = this.utils.matcherHint(MATCHER, undefined, 'code', {
    isNot: this.isNot,
    ...(this.promise === undefined ? {} : { promise: this.promise }),
  });
  if (thrown === undefined) {
    return {
      pass: false,
      message: () =>
        `${hint}\n\n${describeExpected(this, code, expected)}\nReceived: the function did not throw`,
    };
  }
  const differ = mismatches(this, thrown.value, code, expected);
  return {
    pass: differ.length === 0,
    message: () =>
      `${hint}\n\n${describeExpected(this, code, expected)}\n${describeThrown(this, thrown.value)}` +
      (differ.length > 0 ? `\nDiffers in: ${differ.join(', ')}` : ''),
  };
}

expect.extend({ toThrowWithCode });
