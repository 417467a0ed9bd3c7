import {
  DEADLINE_MARGIN_MS,
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  MAX_WEBHOOK_TIMEOUT_MS,
  MIN_BUDGET_MS,
} from './limits';

// webhookTimeoutMs reads the `?timeout=10s` that kube-apiserver appends to webhook calls (attacker-reachable: clamp it).
export function webhookTimeoutMs(query: unknown): number {
  const raw = (query as { timeout?: unknown } | undefined)?.timeout;
  if (typeof raw !== 'string') return DEFAULT_WEBHOOK_TIMEOUT_MS;
  const match = /^(\d{1,5})(ms|s|m)$/.exec(raw);
  if (!match) return DEFAULT_WEBHOOK_TIMEOUT_MS;
  const value = Number(match[1]);
  const ms = match[2] === 'ms' ? value : match[2] === 's' ? value * 1000 : value * 60_000;
  return Math.min(Math.max(ms, 1), MAX_WEBHOOK_TIMEOUT_MS);
}

// deadlineFor turns a webhook timeout into the absolute deadline we must answer by (timeout minus a margin).
export function deadlineFor(now: number, timeoutMs: number): number {
  return now + Math.max(MIN_BUDGET_MS, timeoutMs - DEADLINE_MARGIN_MS);
}
