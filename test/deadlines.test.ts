import { expect } from 'chai';
import sinon from 'sinon';
import { type Deadline, Deadlines } from '../src/actors/deadlines.js';
import { systemClock } from '../src/core/clock.js';
import { CallTimeoutError, Runtime } from '../src/index.js';
import { Adder, Probe } from './conformance/actors.js';

describe('Deadlines (one timer per runtime)', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
  });
  afterEach(() => clock.restore());

  const entry = (log: string[], name: string): Deadline => ({ at: 0, slot: -1, fire: () => log.push(name) });

  it('fires each deadline once, in time order, with a single armed timer', () => {
    const d = new Deadlines(systemClock);
    const log: string[] = [];
    d.add(entry(log, 'b'), 200);
    d.add(entry(log, 'a'), 100);
    d.add(entry(log, 'c'), 300);
    expect(clock.countTimers()).to.equal(1);
    clock.tick(100);
    expect(log).to.deep.equal(['a']);
    clock.tick(200);
    expect(log).to.deep.equal(['a', 'b', 'c']);
    expect(clock.countTimers()).to.equal(0);
  });

  it('does not fire a cancelled deadline, and arms no timer per add', () => {
    const d = new Deadlines(systemClock);
    const log: string[] = [];
    const first = entry(log, 'x');
    d.add(first, 100);
    for (let i = 0; i < 100; i++) {
      const e = entry(log, `n${i}`);
      d.add(e, 500);
      d.cancel(e);
    }
    d.cancel(first);
    expect(clock.countTimers()).to.equal(1);
    clock.tick(1000);
    expect(log).to.deep.equal([]);
  });

  it('fires exactly the deadlines left pending among many added and cancelled, and holds no more entries than it needs', () => {
    const d = new Deadlines(systemClock);
    const log: string[] = [];
    const kept: Deadline[] = [];
    for (let i = 0; i < 10_000; i++) {
      const e = entry(log, `e${i}`);
      d.add(e, 1000 + (i % 7));
      if (i % 1000 === 0) kept.push(e);
      else {
        d.cancel(e);
        d.cancel(e); // twice: no effect
      }
    }
    expect(d.size).to.equal(kept.length);
    expect((d as unknown as { entries: unknown[] }).entries.length).to.be.below(200);
    const again = kept[3]!;
    d.add(again, 5000); // re-adding a pending deadline moves it, once
    expect(d.size).to.equal(kept.length);
    clock.tick(1010);
    // In time order (at 1000 + i % 7), ties in the order added.
    expect(log).to.deep.equal(['e0', 'e7000', 'e6000', 'e5000', 'e4000', 'e2000', 'e9000', 'e1000', 'e8000']);
    clock.tick(4000);
    expect(log.at(-1)).to.equal('e3000');
    expect(d.size).to.equal(0);
  });

  it('keeps the process alive only while a deadline is pending (unref after the turn the last one ends)', async () => {
    const refs: string[] = [];
    const handle = { ref: () => refs.push('ref'), unref: () => refs.push('unref') };
    const fakeClock = { now: () => 0, setTimeout: () => handle, clearTimeout: () => {} };
    const d = new Deadlines(fakeClock);
    for (let i = 0; i < 100; i++) {
      const e = entry([], `call${i}`);
      d.add(e, 5000);
      d.cancel(e); // sequential calls: one pending at a time
    }
    expect(refs).to.deep.equal([]); // armed once (referenced), no ref/unref per call
    await new Promise((resolve) => setImmediate(resolve));
    expect(refs).to.deep.equal(['unref']);
    d.add(entry([], 'later'), 5000);
    expect(refs).to.deep.equal(['unref', 'ref']);
  });

  it('clears its timer on close', () => {
    const d = new Deadlines(systemClock);
    d.add(entry([], 'x'), 100);
    d.close();
    expect(clock.countTimers()).to.equal(0);
    expect(d.size).to.equal(0);
  });

  it('times out a call at exactly its timeout under fake time', async () => {
    const rt = new Runtime({ callTimeout: 1000 });
    try {
      const p = rt.spawn(Probe);
      let settled: unknown;
      const call = p.never().catch((e: unknown) => (settled = e));
      await clock.tickAsync(999);
      expect(settled).to.equal(undefined);
      await clock.tickAsync(1);
      await call;
      expect(settled).to.be.instanceOf(CallTimeoutError);
      const a = rt.spawn(Adder);
      expect(await a.add(1, 1)).to.equal(2);
    } finally {
      await rt.shutdown();
    }
  });
});
