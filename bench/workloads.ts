/**
 * Benchmark workloads (each checks its own result). Every workload exists for Parley and for the
 * hand-written baseline, and returns the number of operations it did.
 */
import { Actor, type ActorRef, handles, Runtime, recv, send, silentLogger } from '../src/index.js';
import { ask, MiniActor } from './baseline/minimal.js';

export interface Workload {
  name: string;
  unit: string;
  parley(n: number): Promise<number>;
  baseline(n: number): Promise<number>;
}

export class Pong extends Actor {
  @handles('ping')
  ping(n: number): number {
    return n;
  }
}

export class Pinger extends Actor {
  private remaining = 0;
  private done: (() => void) | undefined;
  private pong: ActorRef | undefined;

  @handles('start')
  start(pong: ActorRef, n: number, done: () => void): void {
    this.pong = pong;
    this.remaining = n;
    this.done = done;
    pong.send('ping', this.self, n);
  }

  @handles('reply')
  reply(n: number): void {
    if (--this.remaining === 0) this.done!();
    else this.pong!.send('ping', this.self, n - 1);
  }
}

export class Counter extends Actor {
  private n = 0;
  @handles('incr') incr(): void {
    this.n++;
  }
  @handles('total') total(): number {
    return this.n;
  }
}

export async function recvPong(): Promise<void> {
  for (;;) {
    const [tag, sender, args] = await recv();
    if (tag === 'stop') return;
    send(sender as ActorRef, 'pong', args[0]);
  }
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`benchmark result check failed: ${what}`);
}

async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = new Runtime({ logger: silentLogger });
  try {
    return await fn(rt);
  } finally {
    await rt.shutdown();
  }
}

export const workloads: Workload[] = [
  {
    name: 'ping-pong (class actors)',
    unit: 'round trips/s',
    parley: (n) =>
      withRuntime(async (rt) => {
        const pong = rt.spawn(Pong);
        const pinger = rt.spawn(Pinger);
        await new Promise<void>((done) => pinger.cast('start', pong.ref, n, done));
        return n;
      }),
    baseline: async (n) => {
      let left = n;
      let finish!: () => void;
      const done = new Promise<void>((r) => (finish = r));
      const pong: MiniActor = new MiniActor((m) => ping.send(m));
      const ping: MiniActor = new MiniActor((m) => {
        if (--left === 0) finish();
        else pong.send((m as number) - 1);
      });
      pong.send(n);
      await done;
      return n;
    },
  },
  {
    name: 'counting (one-way, then a call)',
    unit: 'msgs/s',
    parley: (n) =>
      withRuntime(async (rt) => {
        const c = rt.spawn(Counter);
        for (let i = 0; i < n; i++) c.cast('incr');
        check((await c.total()) === n, 'count');
        return n;
      }),
    baseline: async (n) => {
      let count = 0;
      const c = new MiniActor((m) => {
        if (m === 'incr') count++;
        else (m as { resolve(v: number): void }).resolve(count);
      });
      for (let i = 0; i < n; i++) c.send('incr');
      const total = await new Promise<number>((resolve) => c.send({ resolve }));
      check(total === n, 'count');
      return n;
    },
  },
  {
    name: 'sequential ask (proxy calls)',
    unit: 'asks/s',
    parley: (n) =>
      withRuntime(async (rt) => {
        const p = rt.spawn(Pong);
        let sum = 0;
        for (let i = 0; i < n; i++) sum += await p.ping(1);
        check(sum === n, 'sum');
        return n;
      }),
    baseline: async (n) => {
      const p = new MiniActor((m) => {
        const { value, resolve } = m as { value: number; resolve(v: number): void };
        resolve(value);
      });
      let sum = 0;
      for (let i = 0; i < n; i++) sum += (await ask(p, 1)) as number;
      check(sum === n, 'sum');
      return n;
    },
  },
  {
    name: 'ping-pong (recv() loop actor)',
    unit: 'round trips/s',
    parley: (n) =>
      withRuntime((rt) =>
        rt.run(async () => {
          const { me } = await import('../src/index.js');
          const p = rt.spawn(recvPong);
          const self = me();
          for (let i = 0; i < n; i++) {
            p.send('ping', self, i);
            await recv();
          }
          p.cast('stop');
          return n;
        }),
      ),
    baseline: async (n) => {
      // The same shape by hand: a promise per receive on both sides.
      let waiting: ((v: unknown) => void) | undefined;
      const me = new MiniActor((m) => waiting?.(m));
      const p = new MiniActor((m) => me.send(m));
      for (let i = 0; i < n; i++) {
        const got = new Promise((r) => (waiting = r));
        p.send(i);
        await got;
      }
      return n;
    },
  },
];
