// In-memory stand-ins for the API server pieces src/kube talks to, handed in through constructors.
import { Writable } from 'node:stream';
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import pino, { type Logger } from 'pino';
import type { KubeClients, KubeInformer } from '../../../src/kube/clients';

type Callback = (arg: never) => void;

/** A client-node-like ListWatch: start() lists (or fails), tests push watch events with emit(). */
export class FakeInformer<T extends KubernetesObject> {
  private readonly callbacks = new Map<string, Callback[]>();
  private readonly objects = new Map<string, T>();
  starts = 0;
  stopped = false;

  constructor(
    readonly path: string,
    private readonly listFn: () => Promise<KubernetesListObject<T>>,
  ) {}

  on(verb: string, cb: Callback): void {
    this.callbacks.set(verb, [...(this.callbacks.get(verb) ?? []), cb]);
  }

  off(verb: string, cb: Callback): void {
    this.callbacks.set(
      verb,
      (this.callbacks.get(verb) ?? []).filter((c) => c !== cb),
    );
  }

  async start(): Promise<void> {
    this.starts += 1;
    this.stopped = false;
    let list: KubernetesListObject<T>;
    try {
      list = await this.listFn();
    } catch (error) {
      this.fire('error', error);
      return;
    }
    this.objects.clear();
    for (const obj of list.items) this.emit('add', obj);
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  /** Delivers a watch event (add/update/delete), updating the cache first as ListWatch does. */
  emit(verb: 'add' | 'update' | 'delete', obj: T): void {
    const key = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    if (verb === 'delete') this.objects.delete(key);
    else this.objects.set(key, obj);
    this.fire(verb, obj);
  }

  /** Ends the watch with an error, as ListWatch does when the connection fails. */
  fail(error: unknown): void {
    this.fire('error', error);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.objects.get(`${namespace ?? ''}/${name}`);
  }

  list(): readonly T[] {
    return [...this.objects.values()];
  }

  private fire(verb: string, arg: unknown): void {
    for (const cb of this.callbacks.get(verb) ?? []) (cb as (a: unknown) => void)(arg);
  }
}

/** An error shaped like client-node's ApiException. */
export function apiError(code: number, message = 'boom'): Error & { code: number; body: string } {
  return Object.assign(new Error(`HTTP-Code: ${code}\nMessage: x\nBody: {}\nHeaders: {}`), {
    code,
    body: JSON.stringify({ kind: 'Status', message }),
  });
}

/** A logger whose JSON lines are kept, to assert on what was (and was not) logged. */
export function captureLogger(level = 'debug'): { logger: Logger; lines: () => string[] } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines: () => out };
}

/** Waits until `predicate` holds (or fails after `ms`), letting timers and promises run. */
export async function until(predicate: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

type Fn = (...args: never[]) => unknown;

/** Records every call of a fake API method and answers through `impl`. */
export function recorder<F extends Fn>(impl: F): F & { calls: Parameters<F>[] } {
  const calls: Parameters<F>[] = [];
  const fn = ((...args: Parameters<F>) => {
    calls.push(args);
    return impl(...args);
  }) as F & { calls: Parameters<F>[] };
  fn.calls = calls;
  return fn;
}

/** Fake clients: informers created through `informer()` are kept by path for the test to drive. */
export function fakeClients(over: Partial<Omit<KubeClients, 'informer'>> = {}): KubeClients & {
  informers: Map<string, FakeInformer<KubernetesObject>>;
} {
  const informers = new Map<string, FakeInformer<KubernetesObject>>();
  const unused = (): Promise<never> => Promise.reject(new Error('not used in this test'));
  return {
    informers,
    informer: <T extends KubernetesObject>(
      path: string,
      list: () => Promise<KubernetesListObject<T>>,
    ): KubeInformer<T> => {
      const informer = new FakeInformer<T>(path, list);
      informers.set(path, informer as unknown as FakeInformer<KubernetesObject>);
      return informer as unknown as KubeInformer<T>;
    },
    core: over.core ?? {
      readNamespacedSecret: unused,
      readNamespacedConfigMap: unused,
      readNamespacedServiceAccount: unused,
      listNamespace: unused,
    },
    custom: over.custom ?? {
      listClusterCustomObject: unused,
      patchClusterCustomObjectStatus: unused,
      patchNamespacedCustomObjectStatus: unused,
    },
    events: over.events ?? { createNamespacedEvent: unused, patchNamespacedEvent: unused },
  };
}
