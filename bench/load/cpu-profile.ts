// Reads a V8 .cpuprofile (node --cpu-prof) and ranks functions by self time.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One function's share of the sampled time. */
export interface SelfTime {
  readonly name: string;
  readonly ms: number;
  readonly percent: number;
}

// where shortens a script URL to the part a reader recognises (node_modules/pkg/… or src/…).
function where(url: string, line: number): string {
  if (url === '') return '';
  const short = url.replace(/^file:\/\//, '').replace(/^.*?\/(node_modules|src)\//, '$1/');
  return ` (${short}:${line + 1})`;
}

/** The `top` functions by self time; `(idle)` and `(program)` are kept, so that the shares add up. */
export function topSelfTime(file: string, top: number): SelfTime[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const names = new Map<number, string>();
  for (const n of profile.nodes) {
    const name = n.callFrame.functionName === '' ? '(anonymous)' : n.callFrame.functionName;
    names.set(n.id, name + where(n.callFrame.url, n.callFrame.lineNumber));
  }
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const name = names.get(id) ?? '?';
    totals.set(name, (totals.get(name) ?? 0) + us);
    all += us;
  });
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, ms: us / 1000, percent: (100 * us) / all }));
}
