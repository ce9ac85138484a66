/** The hand-written minimal actor (bench/baseline/minimal.ts) on every workload. */
import { ask, MiniActor } from '../baseline/minimal.js';
import { type Contestant, check, heapUsed, skynetSum, work } from './types.js';

export const baseline: Contestant = {
  name: 'baseline',
  async pingPong(n) {
    let left = n;
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    const pong: MiniActor = new MiniActor((m) => ping.send(m));
    const ping: MiniActor = new MiniActor((m) => {
      if (--left === 0) finish();
      else pong.send(m);
    });
    pong.send(0);
    await done;
  },
  async ring(actors, hops) {
    let finish!: (v: number) => void;
    const done = new Promise<number>((r) => (finish = r));
    const nodes: MiniActor[] = [];
    for (let i = 0; i < actors; i++) {
      nodes.push(
        new MiniActor((m) => {
          const left = m as number;
          if (left === 0) finish(i);
          else nodes[(i + 1) % actors]!.send(left - 1);
        }),
      );
    }
    nodes[0]!.send(hops);
    check((await done) === hops % actors, 'ring stop');
  },
  async counting(n) {
    let count = 0;
    const c = new MiniActor((m) => {
      if (m === 'incr') count++;
      else (m as { resolve(v: number): void }).resolve(count);
    });
    for (let i = 0; i < n; i++) c.send('incr');
    check((await new Promise<number>((resolve) => c.send({ resolve }))) === n, 'count');
  },
  async ask(n) {
    const p = new MiniActor((m) => {
      const { value, resolve } = m as { value: number; resolve(v: number): void };
      resolve(value);
    });
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (await ask(p, 1)) as number;
    check(sum === n, 'sum');
  },
  async forkJoin(actors) {
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < actors; i++) {
      const a = new MiniActor((m) => {
        const { value, resolve } = m as { value: number; resolve(v: number): void };
        resolve(work(value));
      });
      jobs.push(ask(a, 100));
    }
    const results = (await Promise.all(jobs)) as number[];
    check(
      results.every((r) => r === work(100)),
      'fork-join results',
    );
  },
  async skynet(size) {
    const sum = await new Promise<number>((resolve) => node(0, size, resolve));
    check(sum === skynetSum(size), 'skynet sum');
    return sum;
  },
  async idle(n) {
    const before = heapUsed();
    const keep: MiniActor[] = [];
    for (let i = 0; i < n; i++) keep.push(new MiniActor(() => {}));
    const bytes = (heapUsed() - before) / n;
    check(keep.length === n, 'idle actors kept');
    return bytes;
  },
};

/** One skynet node: a leaf answers its number; an inner node starts 10 children and sums their answers. */
function node(num: number, size: number, reply: (v: number) => void): void {
  let sum = 0;
  let waiting = 10;
  const self = new MiniActor((m) => {
    if (m === 'start') {
      if (size === 1) return reply(num);
      const step = size / 10;
      for (let i = 0; i < 10; i++) node(num + i * step, step, (v) => self.send(v));
      return;
    }
    sum += m as number;
    if (--waiting === 0) reply(sum);
  });
  self.send('start');
}
