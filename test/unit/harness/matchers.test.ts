// The shared toThrowWithCode matcher (test/harness/matchers.ts): it passes on the right code, and it fails,
// printing the code, class and message actually thrown, on anything else.
import { AdmissionError } from '../../../src/admission';
import { ConfigError } from '../../../src/errors';

const admissionError = () =>
  new AdmissionError('ADMISSION_MALFORMED', 'AdmissionReview field request.kind must be an object', {
    details: { field: 'request.kind' },
    cause: new SyntaxError('x'),
  });
const throwing = (error: unknown) => (): never => {
  throw error;
};

// plain drops the terminal colours jest may add to a failure message.
const plain = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

// failureOf runs an assertion that must fail and returns jest's failure message.
function failureOf(assertion: () => void): string {
  try {
    assertion();
  } catch (error) {
    return plain((error as Error).message);
  }
  throw new Error('the assertion passed, but it should have failed');
}

// asyncFailureOf is failureOf for an assertion on a promise.
async function asyncFailureOf(assertion: () => Promise<void>): Promise<string> {
  try {
    await assertion();
  } catch (error) {
    return plain((error as Error).message);
  }
  throw new Error('the assertion passed, but it should have failed');
}

describe('toThrowWithCode: passes', () => {
  it('on the code a function throws, with its class, message and details', () => {
    expect(throwing(admissionError())).toThrowWithCode('ADMISSION_MALFORMED');
    expect(throwing(admissionError())).toThrowWithCode('ADMISSION_MALFORMED', {
      instanceOf: AdmissionError,
      message: 'request.kind must be',
      details: { field: 'request.kind' },
      cause: expect.any(SyntaxError),
    });
    expect(throwing(admissionError())).toThrowWithCode('ADMISSION_MALFORMED', {
      message: /^AdmissionReview/,
    });
    expect(throwing(new ConfigError('CONFIG_INVALID_FLAG', '--x'))).toThrowWithCode('CONFIG_INVALID_FLAG', {
      cause: undefined,
    });
    expect(throwing(admissionError())).toThrowWithCode('ADMISSION_MALFORMED', {
      message: ['request.kind', /object$/, expect.not.stringContaining('secret')],
      details: { field: expect.stringMatching(/^request\./) },
    });
  });

  it('on the reason of a rejected promise after .rejects', async () => {
    await expect(Promise.reject(admissionError())).rejects.toThrowWithCode('ADMISSION_MALFORMED', {
      instanceOf: AdmissionError,
    });
  });

  it('with .not, on another code or no throw at all', async () => {
    expect(throwing(admissionError())).not.toThrowWithCode('ADMISSION_MISSING_UID');
    expect(() => 1).not.toThrowWithCode('ADMISSION_MALFORMED');
    await expect(Promise.reject(admissionError())).rejects.not.toThrowWithCode('ADMISSION_MISSING_UID');
  });
});

describe('toThrowWithCode: fails, saying what was thrown', () => {
  it('on another code, printing the code, class and message received', () => {
    const message = failureOf(() =>
      expect(throwing(admissionError())).toThrowWithCode('ADMISSION_MISSING_UID'),
    );
    expect(message).toContain('Expected code:    "ADMISSION_MISSING_UID"');
    expect(message).toContain('Received code:    "ADMISSION_MALFORMED"');
    expect(message).toContain('Received class:   AdmissionError');
    expect(message).toContain('Received message: "AdmissionReview field request.kind must be an object"');
    expect(message).toContain('Differs in: code');
  });

  it.each([
    ['the class', { instanceOf: ConfigError }, 'class'],
    ['the message', { message: 'request.uid' }, 'message'],
    ['the message pattern', { message: /^request/ }, 'message'],
    ['every message part', { message: ['request.kind', expect.not.stringContaining('object')] }, 'message'],
    ['the details', { details: { field: 'request.uid' } }, 'details.field'],
    ['no cause', { cause: undefined }, 'cause'],
  ])('on the right code but not %s', (_what, expected, differs) => {
    const message = failureOf(() =>
      expect(throwing(admissionError())).toThrowWithCode('ADMISSION_MALFORMED', expected),
    );
    expect(message).toContain(`Differs in: ${differs}`);
    expect(message).toContain('Received code:    "ADMISSION_MALFORMED"');
  });

  it('when nothing is thrown', () => {
    expect(failureOf(() => expect(() => 1).toThrowWithCode('ADMISSION_MALFORMED'))).toContain(
      'Received: the function did not throw',
    );
  });

  it('on an error without a code, and on a thrown non-error', () => {
    expect(failureOf(() => expect(throwing(new TypeError('boom'))).toThrowWithCode('X'))).toMatch(
      /Received code: +undefined\nReceived class: +TypeError\nReceived message: +"boom"/,
    );
    expect(failureOf(() => expect(throwing('just a string')).toThrowWithCode('X'))).toContain(
      'Received message: "just a string"',
    );
  });

  it('with .not, on the code that was thrown', () => {
    const message = failureOf(() =>
      expect(throwing(admissionError())).not.toThrowWithCode('ADMISSION_MALFORMED'),
    );
    expect(message).toContain('Expected code:    not "ADMISSION_MALFORMED"');
  });

  it('on another code after .rejects', async () => {
    const message = await asyncFailureOf(() =>
      expect(Promise.reject(new ConfigError('CONFIG_INVALID_FLAG', '--x'))).rejects.toThrowWithCode(
        'CONFIG_FILE_UNREADABLE',
      ),
    );
    expect(message).toContain('Received code:    "CONFIG_INVALID_FLAG"');
    expect(message).toContain('Received class:   ConfigError');
  });

  it('on misuse: a value that is not a function, a function returning a promise, .resolves', async () => {
    expect(failureOf(() => expect(admissionError()).toThrowWithCode('ADMISSION_MALFORMED'))).toContain(
      'expected a function, or a promise after .rejects',
    );
    expect(
      failureOf(() => expect(() => Promise.reject(admissionError())).toThrowWithCode('ADMISSION_MALFORMED')),
    ).toContain('write await expect(promise).rejects.toThrowWithCode');
    expect(
      failureOf(() =>
        expect(() => Promise.reject(admissionError())).not.toThrowWithCode('ADMISSION_MALFORMED'),
      ),
    ).toContain('returned a promise');
    expect(
      await asyncFailureOf(() => expect(Promise.resolve(1)).resolves.toThrowWithCode('ADMISSION_MALFORMED')),
    ).toContain('use .rejects, not .resolves');
  });
});
