/**
 * Leaks: after thousands of DOWNs, supervisor churn, dynamic children, links and monitors to short-lived
 * actors, demonitors, calls and receives that time out and names that die with their actors, every table
 * of every thread (actors, calls, deadlines, names, link and monitor entries, what the thread transport
 * holds) is back where it was before. A watcher used to keep one `monitoring` entry per DOWN it received
 * (holding the dead actor), and a supervisor monitors each child it terminates.
 */
import { expect } from 'chai';
import {
  monitor,
  NoSuchActorError,
  type Runtime,
  recv,
  Supervisor,
  type SupervisorOptions,
  spawnWith,
} from '../../src/index.js';
import type { Tables } from '../../src/router/signal.js';
import { onEveryController } from './harness.js';
import { Brief, Churner, Ephemeral, StopsInConstructor } from './leak-actors.js';

/** The tables of every thread, once they have settled (what is in flight between threads lands). */
async function tablesNow(rt: Runtime): Promise<Tables[]> {
  return rt.everyThreadTables();
}

/**
 * Waits until every thread's tables equal `base` (signals between other threads land a little later than
 * the answers the test waited for), at most `ms`; then compares, so a leak fails with the tables' diff.
 */
async function expectBaseline(rt: Runtime, base: Tables[], ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  let now = await tablesNow(rt);
  while (JSON.stringify(now) !== JSON.stringify(base) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
    now = await tablesNow(rt);
  }
  expect(now, 'every thread’s tables are back to their baseline').to.deep.equal(base);
}

const OPTIONS: SupervisorOptions = { strategy: 'one_for_one', intensity: 100_000, period: 1000 };

onEveryController('leaks: tables return to their baseline', (h) => {
  beforeEach(function () {
    this.currentTest?.timeout(h.controller.threads ? 180_000 : 60_000);
  });

  /** A runtime with a churner on worker 1 (its partners go to worker 2), and the baseline after start-up. */
  async function setUp(): Promise<{ rt: Runtime; churner: ReturnType<typeof spawnChurner>; base: Tables[] }> {
    const rt = h.runtime({ callTimeout: 60_000 });
    const churner = spawnChurner(rt);
    await churner.call('ping');
    const base = await tablesNow(rt);
    return { rt, churner, base };
  }

  function spawnChurner(rt: Runtime) {
    return rt.spawnWith(h.on(1), Churner);
  }

  it('leaves no monitor entry behind after 2,000 DOWNs received', async () => {
    const { rt, churner, base } = await setUp();
    expect(await churner.downs(2000, h.on(2))).to.equal(2000);
    await expectBaseline(rt, base);
  });

  it('leaves no monitor entry behind after monitors of dead actors (DOWN noproc)', async () => {
    const { rt, churner, base } = await setUp();
    const reasons = await churner.downsOfDead(200, h.on(2));
    expect(reasons).to.have.members(['normal', 'noproc']);
    await expectBaseline(rt, base);
  });

  it('leaves no entry behind after demonitor, with and without flush, and never delivers their DOWNs', async () => {
    const { rt, churner, base } = await setUp();
    // 500 demonitored while alive (true), 500 after their DOWN was queued (false: fired, flushed).
    expect(await churner.demonitors(1000, h.on(2))).to.deep.equal([500, 500, 0]);
    await expectBaseline(rt, base);
  });

  it('leaves no link entry behind after links to 1,000 short-lived actors (trapped EXITs)', async () => {
    const { rt, churner, base } = await setUp();
    expect(await churner.links(1000, h.on(2))).to.equal(1000);
    await expectBaseline(rt, base);
  });

  it('leaves no link entry behind after link and unlink of 1,000 actors, nor after links to dead ones', async () => {
    const { rt, churner, base } = await setUp();
    expect(await churner.unlinks(1000, h.on(2))).to.equal(1000);
    expect(await churner.linksToDead(200, h.on(2))).to.equal(200);
    await expectBaseline(rt, base);
  });

  it('leaves no pending call, deadline or name behind after calls and receives that time out', async () => {
    const { rt, churner, base } = await setUp();
    expect(await churner.timeouts(50, h.on(2))).to.deep.equal([50, 50, 50, 50]);
    await expectBaseline(rt, base);
  });

  it('leaves nothing behind after 300 startChild / terminateChild / restartChild / deleteChild cycles', async () => {
    const rt = h.runtime({ callTimeout: 60_000 });
    const sup = rt.spawnWith(h.on(1), Supervisor, OPTIONS);
    await sup.countChildren();
    const base = await tablesNow(rt);
    for (let i = 0; i < 300; i++) {
      const first = await sup.startChild({ id: 'w', actor: Ephemeral });
      await sup.terminateChild('w');
      const again = await sup.restartChild('w');
      expect(again.equals(first)).to.equal(false);
      await sup.terminateChild('w');
      await sup.deleteChild('w');
    }
    expect(await sup.countChildren()).to.deep.equal({ specs: 0, active: 0, supervisors: 0, workers: 0 });
    await expectBaseline(rt, base);
  });

  it('leaves nothing behind after 300 dynamic children that exit or crash (temporary, transient, permanent)', async () => {
    const rt = h.runtime({ callTimeout: 60_000 });
    const sup = rt.spawnWith(h.on(1), Supervisor, OPTIONS);
    await sup.countChildren();
    const base = await tablesNow(rt);
    const restarts = (id: string) =>
      sup.whichChildren().then((cs) => cs.find((c) => c.id === id)?.restarts ?? -1);
    for (let i = 0; i < 100; i++) {
      // Temporary: gone from the supervisor when it exits, whatever the reason.
      const t = await sup.startChild({ id: `t${i}`, actor: Ephemeral, restart: 'temporary' });
      rt.proxy(t).cast(i % 2 === 0 ? 'crash' : 'quit', 'normal');
      // Transient, normal exit: stays stopped, then deleted.
      const n = await sup.startChild({ id: `n${i}`, actor: Ephemeral, restart: 'transient' });
      rt.proxy(n).cast('quit', 'normal');
      // Permanent, crashes: restarted, then terminated and deleted.
      const p = await sup.startChild({ id: `p${i}`, actor: Ephemeral });
      rt.proxy(p).cast('crash');
      await until(async () => (await restarts(`p${i}`)) === 1);
      await until(async () => (await sup.whichChildren()).find((c) => c.id === `n${i}`)?.state === 'stopped');
      await sup.terminateChild(`p${i}`);
      await sup.deleteChild(`p${i}`);
      await sup.deleteChild(`n${i}`);
    }
    await until(async () => (await sup.countChildren()).specs === 0);
    expect(await sup.countChildren()).to.deep.equal({ specs: 0, active: 0, supervisors: 0, workers: 0 });
    await expectBaseline(rt, base);
  });

  it('leaves nothing behind after 5,000 top-level spawn-and-crash cycles', async () => {
    const rt = h.runtime({ callTimeout: 60_000 });
    const churner = spawnChurner(rt); // a partner on a worker, so the thread legs have a table to keep
    await churner.call('ping');
    const base = await tablesNow(rt);
    for (let i = 0; i < 5000; i++) {
      const a = rt.spawnWith(h.on(2), Ephemeral);
      await a.call('crash').catch(() => undefined);
    }
    await expectBaseline(rt, base);
  });
});

onEveryController('an actor that ends itself while starting', (h) => {
  for (const [what, target] of [
    ['in a synchronous onStart', Brief],
    ['in its constructor', StopsInConstructor],
  ] as const) {
    it(`stays dead when it calls this.stop() ${what}: no zombie takes calls or monitors`, async function () {
      this.timeout(60_000);
      const rt = h.runtime();
      const seen = await rt.run(async () => {
        const a = spawnWith(h.on(1), target);
        const first = monitor(a);
        const [, , [reason]] = await recv((m) => m[0] === 'DOWN' && m[2][1] === first);
        const again = monitor(a);
        const late = await recv((m) => m[0] === 'DOWN' && m[2][1] === again, { timeout: 20_000 }).then(
          (m) => m[2][0],
          () => 'no DOWN: it is still running',
        );
        const call = await a.call('ping').then(
          (v) => v,
          (e: unknown) => (e instanceof NoSuchActorError ? 'NoSuchActorError' : e),
        );
        return [reason, late, call];
      });
      // It used to come back as running: a second monitor never fired and a call got UnknownTagError.
      expect(seen).to.deep.equal(['normal', 'noproc', 'NoSuchActorError']);
      expect(rt.stats().actors).to.equal(0);
    });
  }
});

/** Polls an asynchronous condition (answers from other threads) until it holds, at most `ms`. */
async function until(done: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done()) && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
}
