import type { CompiledNotationAuthority } from '../../policy/compile/compiled.types';
import type { NotationCheck } from './envelope.types';

/** Whether a failed check denies (`enforce`) or only becomes a warning (`log`). */
export type CheckAction = 'enforce' | 'log';

const LEVELS: Readonly<
  Record<CompiledNotationAuthority['verificationLevel'], Readonly<Record<NotationCheck, CheckAction>>>
> = {
  strict: {
    integrity: 'enforce',
    authenticity: 'enforce',
    authenticTimestamp: 'enforce',
    expiry: 'enforce',
    revocation: 'enforce',
  },
  permissive: {
    integrity: 'enforce',
    authenticity: 'enforce',
    authenticTimestamp: 'log',
    expiry: 'log',
    revocation: 'log',
  },
  audit: {
    integrity: 'enforce',
    authenticity: 'log',
    authenticTimestamp: 'log',
    expiry: 'log',
    revocation: 'log',
  },
};

/** What Notation's trust policy does with a failed `check` at `level`. */
export function actionFor(
  level: CompiledNotationAuthority['verificationLevel'],
  check: NotationCheck,
): CheckAction {
  return LEVELS[level][check];
}
