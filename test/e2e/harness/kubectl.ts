import { kubectl, type CommandResult } from '../../harness/control-plane';
import type { E2E } from './env';

/** kubectl against the e2e cluster: `k` never throws (tests read code and output), `ok` throws with the output. */
export interface Kubectl {
  k(args: string[], input?: string): Promise<CommandResult>;
  ok(args: string[], input?: string): Promise<CommandResult>;
}

// kubectlFor binds the two kubectl helpers every e2e file uses to one cluster.
export function kubectlFor(e2e: E2E): Kubectl {
  const k = (args: string[], input?: string): Promise<CommandResult> =>
    kubectl(e2e.controlPlane, args, { allowFailure: true, ...(input === undefined ? {} : { input }) });
  const ok = async (args: string[], input?: string): Promise<CommandResult> => {
    const r = await k(args, input);
    if (r.code !== 0)
      throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  return { k, ok };
}

/** Polls `check` until it returns true or `ms` pass (the API server and informers are eventually consistent). */
export async function waitFor(check: () => Promise<boolean>, ms = 20_000, everyMs = 300): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return false;
}
