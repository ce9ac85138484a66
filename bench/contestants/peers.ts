/**
 * The JavaScript peers: nact and comedy (in memory and threaded). Left out: skynet for both (comedy runs out
 * of memory at 1M actors, nact takes ~20 s a round), comedy's idle actors (~1.2 KB each measured at 10k, but
 * ~1.5 s per 10k actors: too slow for 100k a round in the suite).
 */
import { createRequire } from 'node:module';
import { type Contestant, check, heapUsed, work } from './types.js';

const require = createRequire(import.meta.url);

const nact: any = require('nact');

const comedy: any = require('comedy');

export const nactPeer: Contestant = {
  name: 'nact',
  async pingPong(n) {
    const system = nact.start();
    let left = n;
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    const pong = nact.spawnStateless(system, (msg: { n: number; sender: unknown }) =>
      nact.dispatch(msg.sender, msg),
    );
    const ping = nact.spawnStateless(system, (msg: { n: number }) => {
      if (--left === 0) finish();
      else nact.dispatch(pong, { n: msg.n, sender: ping });
    });
    nact.dispatch(pong, { n: 0, sender: ping });
    await done;
    nact.stop(system);
  },
  async ring(actors, hops) {
    const system = nact.start();
    let finish!: (i: number) => void;
    const done = new Promise<number>((r) => (finish = r));
    const nodes: unknown[] = [];
    for (let i = 0; i < actors; i++) {
      nodes.push(
        nact.spawnStateless(system, (left: number) => {
          if (left === 0) finish(i);
          else nact.dispatch(nodes[(i + 1) % actors], left - 1);
        }),
      );
    }
    nact.dispatch(nodes[0], hops);
    check((await done) === hops % actors, 'ring stop');
    nact.stop(system);
  },
  async counting(n) {
    const system = nact.start();
    const counter = nact.spawn(system, (state = 0, msg: { type: string; sender?: unknown }) => {
      if (msg.type === 'incr') return state + 1;
      nact.dispatch(msg.sender, state);
      return state;
    });
    for (let i = 0; i < n; i++) nact.dispatch(counter, { type: 'incr' });
    const total = await nact.query(counter, (sender: unknown) => ({ type: 'total', sender }), 600_000);
    check(total === n, 'count');
    nact.stop(system);
  },
  async ask(n) {
    const system = nact.start();
    const p = nact.spawnStateless(system, (msg: { sender: unknown; v: number }) =>
      nact.dispatch(msg.sender, msg.v),
    );
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await nact.query(p, (sender: unknown) => ({ sender, v: 1 }), 60_000);
    check(sum === n, 'sum');
    nact.stop(system);
  },
  async idle(n) {
    const system = nact.start();
    try {
      const before = heapUsed();
      const keep: unknown[] = [];
      for (let i = 0; i < n; i++) keep.push(nact.spawnStateless(system, () => {}, `idle${i}`));
      const bytes = (heapUsed() - before) / n;
      check(keep.length === n, 'idle actors kept');
      return bytes;
    } finally {
      nact.stop(system);
    }
  },
  async forkJoin(actors) {
    const system = nact.start();
    try {
      const jobs: Promise<number>[] = [];
      for (let i = 0; i < actors; i++) {
        const w = nact.spawnStateless(
          system,
          (msg: { sender: unknown; v: number }) => nact.dispatch(msg.sender, work(msg.v)),
          `w${i}`, // nact's random names collide at this count
        );
        jobs.push(nact.query(w, (sender: unknown) => ({ sender, v: 100 }), 600_000));
      }
      const results = await Promise.all(jobs);
      check(
        results.every((r) => r === work(100)),
        'fork-join results',
      );
    } finally {
      nact.stop(system);
    }
  },
};

const {
  ComedyPong,
  ComedyCounter,
  ComedyPinger,
  ComedyRingNode,
  ComedyWorker,
} = require('./comedy-actors.cjs');

async function withComedy<T>(fn: (root: any) => Promise<T>): Promise<T> {
  const system = comedy({ log: { level: 0 }, config: {} });
  try {
    return await fn(await system.rootActor());
  } finally {
    await system.destroy();
  }
}

export const comedyPeer: Contestant = {
  name: 'comedy',
  /** Round trips between two comedy actors: the pinger awaits each answer (comedy has no reply-to sender). */
  pingPong: (n) =>
    withComedy(async (root) => {
      const pinger = await root.createChild(ComedyPinger);
      check((await pinger.sendAndReceive('start', n)) === n, 'ping-pong sum');
    }),
  ring: (actors, hops) =>
    withComedy(async (root) => {
      const nodes: any[] = [];
      for (let i = 0; i < actors; i++) nodes.push(await root.createChild(ComedyRingNode));
      let finish!: (index: number) => void;
      const done = new Promise<number>((r) => (finish = r));
      for (let i = 0; i < actors; i++)
        await nodes[i].sendAndReceive('link', nodes[(i + 1) % actors], finish, i);
      await nodes[0].send('token', hops);
      check((await done) === hops % actors, 'ring stop');
    }),
  forkJoin: (actors) =>
    withComedy(async (root) => {
      const jobs: Promise<number>[] = [];
      for (let i = 0; i < actors; i++) {
        jobs.push(root.createChild(ComedyWorker).then((w: any) => w.sendAndReceive('compute', 100)));
      }
      const results = await Promise.all(jobs);
      check(
        results.every((r) => r === work(100)),
        'fork-join results',
      );
    }),
  ask: (n) =>
    withComedy(async (root) => {
      const p = await root.createChild(ComedyPong);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += await p.sendAndReceive('ping', 1);
      check(sum === n, 'sum');
    }),
  counting: (n) =>
    withComedy(async (root) => {
      const c = await root.createChild(ComedyCounter);
      const sent: Promise<unknown>[] = [];
      for (let i = 0; i < n; i++) sent.push(c.send('incr'));
      await Promise.all(sent);
      check((await c.sendAndReceive('total')) === n, 'count');
    }),
};

export const comedyThreaded: Contestant = {
  name: 'comedy threaded',
  /** Round trips to an actor on another thread (comedy's 'threaded' mode). */
  pingPong: (n) =>
    withComedy(async (root) => {
      const p = await root.createChild(ComedyPong, { mode: 'threaded' });
      let sum = 0;
      for (let i = 0; i < n; i++) sum += await p.sendAndReceive('ping', 1);
      check(sum === n, 'sum');
    }),
};
