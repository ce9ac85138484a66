/**
 * Type tests of named proxies and pools: compiled by `tsc` in `npm test` (never run). Each `@ts-expect-error`
 * fails the build if the line below it ever type-checks; the other lines fail it if they stop type-checking.
 */
import {
  Actor,
  functionActor,
  handles,
  type NamedProxy,
  named,
  type PoolProxy,
  pool,
  type Runtime,
} from '../../src/index.js';

class Counter extends Actor {
  constructor(readonly step: number) {
    super();
  }
  @handles('count')
  count(a: number, b: number): number {
    return a + b + this.step;
  }
  @handles('label')
  async label(): Promise<string> {
    return 'c';
  }
}

const double = functionActor(function double(x: number): number {
  return 2 * x;
});

export async function namedChecks(rt: Runtime): Promise<void> {
  const c: NamedProxy<Counter> = named('counter', Counter);
  const n: number = await c.count(1, 2);
  const s: string = await c.label();
  const r: unknown = await c.call('count', [1, 2], undefined, { timeout: 100 });
  const sent: Promise<void> = c.cast('count', 1, 2); // a cast to a name can fail: it returns a promise
  const name: string = c.name;
  void [n, s, r, sent, name, await c.resolve()];
  const q: number = await c.with({ timeout: 100 }).count(1, 2);
  void q;
  const d = rt.named('double', double);
  const x: number = await d.invoke(2);
  void x;
  const untyped = rt.named('anything');
  void untyped.call('x');

  // @ts-expect-error: Counter has no method nope
  c.nope();
  // @ts-expect-error: count takes numbers
  c.count('1', 2);
  // @ts-expect-error: an untyped named proxy has no typed methods
  untyped.count(1, 2);
  // @ts-expect-error: the class is an Actor subclass, not any value
  named('x', 42);
}

export async function poolChecks(rt: Runtime): Promise<void> {
  const p: PoolProxy<Counter> = await pool(Counter, { size: 2 }, 1);
  const n: number = await p.count(1, 2);
  const s: string = await p.label();
  p.cast('count', 1, 2);
  p.broadcast('count', 1, 2);
  void [n, s, p.size, p.strategy, await p.members()];
  await p.stop();
  const q: number = await p.with({ timeout: 100 }).count(1, 2);
  void q;
  const lb = await rt.pool(Counter, { size: 4, strategy: 'least-busy' }, 3);
  void lb;
  const d = await pool(double, { size: 2 });
  const x: number = await d.invoke(21);
  void x;

  // @ts-expect-error: Counter's constructor needs a number
  await pool(Counter, { size: 2 }, 'one');
  // @ts-expect-error: size is required
  await pool(Counter, {}, 1);
  // @ts-expect-error: no such strategy
  await pool(Counter, { size: 2, strategy: 'random' }, 1);
  // @ts-expect-error: Counter has no method nope
  p.nope();
  // @ts-expect-error: count takes numbers
  p.count('1', 2);
}
