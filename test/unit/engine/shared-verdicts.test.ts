// The engine over a store shared by replicas: what another replica stored is used, what does not parse is
// ignored, and two engines sharing one store verify a new image once. The store here is an in-memory stand-in
// with the same contract; test/integration/shared-cache runs the real one on valkey-server.
import type { SharedKind, SharedStore } from '../../../src/engine/shared-store';
import { evaluateRequest } from '../../../src/engine/evaluate-request';
import {
  deps,
  DIGEST,
  input,
  pass,
  podRequest,
  snapshot,
  countingRegistry,
  type VerifyFn,
} from './engine-fixtures';

const PINNED = `registry.example.com/team/app@${DIGEST}`;

// memoryStore keeps values in a Map and runs single-flight per key in this process.
function memoryStore(): SharedStore & { values: Map<string, string> } {
  const values = new Map<string, string>();
  const flights = new Map<string, Promise<{ value: string; kind: SharedKind }>>();
  const id = (kind: SharedKind, key: string) => `${kind}:${key}`;
  return {
    values,
    get: async (kind, key) => values.get(id(kind, key)),
    set: async (kind, key, value) => {
      values.set(id(kind, key), value);
    },
    async singleFlight(key, _deadline, run) {
      const running = flights.get(key);
      if (running) return { ...(await running), source: 'shared' as const };
      const flight = run().then((r) => {
        values.set(id(r.kind, key), r.value);
        return r;
      });
      flights.set(key, flight);
      try {
        return { ...(await flight), source: 'ran' as const };
      } finally {
        flights.delete(key); // the lock is released once the result is stored
      }
    },
  };
}

// counting wraps pass, counting verifications.
function counting(): { verify: VerifyFn; count: () => number } {
  let n = 0;
  return {
    verify: async (t, a, c) => {
      n += 1;
      await new Promise((r) => setTimeout(r, 20));
      return pass(t, a, c);
    },
    count: () => n,
  };
}

describe('shared verdicts', () => {
  it('two replicas sharing a store verify a new image once', async () => {
    const store = memoryStore();
    const v = counting();
    const replicas = [0, 1, 2].map(() => ({ ...deps(countingRegistry(), v.verify), shared: store }));
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        evaluateRequest(input(podRequest([PINNED]), snapshot), replicas[i % 3] as (typeof replicas)[0]),
      ),
    );
    expect(results.every((r) => r.decision.allowed)).toBe(true);
    expect(v.count()).toBe(1);
  });

  it('uses a verdict another replica stored, without verifying', async () => {
    const store = memoryStore();
    const first = counting();
    await evaluateRequest(input(podRequest([PINNED]), snapshot), {
      ...deps(countingRegistry(), first.verify),
      shared: store,
    });
    const second = counting();
    const d = { ...deps(countingRegistry(), second.verify), shared: store };
    expect((await evaluateRequest(input(podRequest([PINNED]), snapshot), d)).decision.allowed).toBe(true);
    expect([first.count(), second.count()]).toEqual([1, 0]);
  });

  it('ignores a stored value that does not parse, and verifies', async () => {
    const store = memoryStore();
    const first = counting();
    await evaluateRequest(input(podRequest([PINNED]), snapshot), {
      ...deps(countingRegistry(), first.verify),
      shared: store,
    });
    for (const k of store.values.keys()) store.values.set(k, '{"summary": 42}');
    const second = counting();
    const d = { ...deps(countingRegistry(), second.verify), shared: store };
    expect((await evaluateRequest(input(podRequest([PINNED]), snapshot), d)).decision.allowed).toBe(true);
    expect(second.count()).toBe(1);
  });

  it("shares a failure for a short time: another replica's denial is not re-verified", async () => {
    const store = memoryStore();
    let n = 0;
    const failing: VerifyFn = async () => {
      n += 1;
      throw Object.assign(new Error('no signatures'), { code: 'VERIFY_NO_SIGNATURES' });
    };
    const a = { ...deps(countingRegistry(), failing), shared: store };
    const b = { ...deps(countingRegistry(), failing), shared: store };
    expect((await evaluateRequest(input(podRequest([PINNED]), snapshot), a)).decision.allowed).toBe(false);
    const denied = await evaluateRequest(input(podRequest([PINNED]), snapshot), b);
    expect(denied.decision.allowed).toBe(false);
    expect(n).toBe(1);
  });

  it('two replicas sharing a store resolve a tag once, and a forged-looking resolution is a miss', async () => {
    const store = memoryStore();
    const regs = [countingRegistry(0), countingRegistry(0)];
    const [a, b] = regs.map((r) => ({ ...deps(r, pass, Date.now, 30_000), shared: store }));
    const req = podRequest(['registry.example.com/team/app:1']);
    await evaluateRequest(input(req, snapshot), a as NonNullable<typeof a>);
    await evaluateRequest(input(req, snapshot), b as NonNullable<typeof b>);
    expect(regs.map((r) => r.resolves)).toEqual([1, 0]);
    for (const k of store.values.keys())
      if (k.startsWith('resolution:')) store.values.set(k, '{"digest":"latest"}');
    const c = { ...deps(regs[0] as (typeof regs)[0], pass, Date.now, 30_000), shared: store };
    await evaluateRequest(input(req, snapshot), c);
    expect(regs[0]?.resolves).toBe(2);
  });

  it('asks for the verdict and the failure together, not one after the other', async () => {
    const store = memoryStore();
    const inFlight: string[] = [];
    let most = 0;
    const slow: SharedStore = {
      ...store,
      get: async (kind, key) => {
        inFlight.push(kind);
        most = Math.max(most, inFlight.length);
        await new Promise((r) => setTimeout(r, 5));
        inFlight.splice(inFlight.indexOf(kind), 1);
        return store.get(kind, key);
      },
    };
    const d = { ...deps(countingRegistry(), pass), shared: slow };
    expect((await evaluateRequest(input(podRequest([PINNED]), snapshot), d)).decision.allowed).toBe(true);
    expect(most).toBe(2);
  });

  it('three replicas admitting one new tag at once resolve it once cluster-wide', async () => {
    const store = memoryStore();
    const regs = [0, 1, 2].map(() => countingRegistry(20));
    const replicas = regs.map((r) => ({ ...deps(r, pass, Date.now, 30_000), shared: store }));
    const req = podRequest(['registry.example.com/team/app:2']);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        evaluateRequest(input(req, snapshot), replicas[i % 3] as (typeof replicas)[0]),
      ),
    );
    expect(results.every((r) => r.decision.allowed)).toBe(true);
    expect(regs.reduce((n, r) => n + r.resolves, 0)).toBe(1);
  });
});
