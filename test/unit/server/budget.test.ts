import { deadlineFor, webhookTimeoutMs } from '../../../src/server/budget';
import {
  DEADLINE_MARGIN_MS,
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  MAX_WEBHOOK_TIMEOUT_MS,
  MIN_BUDGET_MS,
} from '../../../src/server/limits';

describe('webhookTimeoutMs', () => {
  it.each([
    [{ timeout: '10s' }, 10_000],
    [{ timeout: '3s' }, 3_000],
    [{ timeout: '500ms' }, 500],
    [{ timeout: '1m' }, MAX_WEBHOOK_TIMEOUT_MS],
    [{ timeout: '99999s' }, MAX_WEBHOOK_TIMEOUT_MS],
    [{ timeout: '0s' }, 1],
    [{ timeout: '-1s' }, DEFAULT_WEBHOOK_TIMEOUT_MS],
    [{ timeout: '10' }, DEFAULT_WEBHOOK_TIMEOUT_MS],
    [{ timeout: ['1s', '2s'] }, DEFAULT_WEBHOOK_TIMEOUT_MS],
    [{ timeout: '1'.repeat(1000) + 's' }, DEFAULT_WEBHOOK_TIMEOUT_MS],
    [{}, DEFAULT_WEBHOOK_TIMEOUT_MS],
    [undefined, DEFAULT_WEBHOOK_TIMEOUT_MS],
  ])('%j → %d ms', (query, expected) => {
    expect(webhookTimeoutMs(query)).toBe(expected);
  });
});

describe('deadlineFor', () => {
  it('keeps a margin for the answer to reach the API server', () => {
    expect(deadlineFor(1_000, 10_000)).toBe(1_000 + 10_000 - DEADLINE_MARGIN_MS);
  });

  it('never gives less than the minimum budget', () => {
    expect(deadlineFor(0, 1)).toBe(MIN_BUDGET_MS);
  });
});
