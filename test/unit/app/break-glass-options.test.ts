// The serve flags --break-glass-trusted-controllers and --break-glass-ungoverned, validated at the edge.
import { ConfigError } from '../../../src/cli/errors';
import {
  MAX_TRUSTED_CONTROLLER_NAME_CHARS,
  toBreakGlassSettings,
} from '../../../src/app/break-glass-options';
import { DEFAULT_BREAK_GLASS_SETTINGS } from '../../../src/policy/decide/break-glass';

describe('toBreakGlassSettings', () => {
  test('no flags: kube-controller-manager’s identities, ungoverned images admitted', () => {
    expect(toBreakGlassSettings({})).toEqual(DEFAULT_BREAK_GLASS_SETTINGS);
  });

  test.each([
    [['my-operator'], ['my-operator']],
    [
      ['a,b', ' c ', 'b'],
      ['a', 'b', 'c'],
    ],
    [['system:serviceaccount:ops:deployer,'], ['system:serviceaccount:ops:deployer']],
    [[''], []],
  ])('--break-glass-trusted-controllers %j → %j (replaces the defaults)', (values, expected) => {
    expect(toBreakGlassSettings({ breakGlassTrustedControllers: values }).trustedControllers).toEqual(
      expected,
    );
  });

  test.each(['admit', 'deny'] as const)('--break-glass-ungoverned %s', (value) => {
    expect(toBreakGlassSettings({ breakGlassUngoverned: value }).ungoverned).toBe(value);
  });

  test.each([
    [
      'an unknown ungoverned action',
      { breakGlassUngoverned: 'allow' },
      '--break-glass-ungoverned must be admit or deny, not "allow"',
    ],
    [
      'a group (system:authenticated)',
      { breakGlassTrustedControllers: ['system:authenticated'] },
      'is a group, not a user name',
    ],
    [
      'a group (system:serviceaccounts:kube-system)',
      { breakGlassTrustedControllers: ['system:serviceaccounts:kube-system'] },
      'is a group, not a user name',
    ],
    [
      'a group (system:masters)',
      { breakGlassTrustedControllers: ['system:masters'] },
      'is a group, not a user name',
    ],
    [
      'a name with a space',
      { breakGlassTrustedControllers: ['two words'] },
      'no spaces or control characters',
    ],
    [
      'a name with a control character',
      { breakGlassTrustedControllers: ['evil\u0000'] },
      'no spaces or control characters',
    ],
    [
      'a name over the limit',
      { breakGlassTrustedControllers: ['x'.repeat(MAX_TRUSTED_CONTROLLER_NAME_CHARS + 1)] },
      `at most ${MAX_TRUSTED_CONTROLLER_NAME_CHARS}`,
    ],
  ])('refuses %s with CONFIG_INVALID_FLAG', (_name, flags, message) => {
    expect(() => toBreakGlassSettings(flags)).toThrowWithCode('CONFIG_INVALID_FLAG', {
      instanceOf: ConfigError,
      message,
    });
  });
});
