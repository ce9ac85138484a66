import { expect } from 'chai';
import { exit, sendAfter } from '../../src/index.js';
import { Notes, Timed } from './api-actors.js';
import { onEveryController } from './harness.js';

/** Asks `ask` until it answers `want` (at most `ms`); returns the last answer. Timers fire on real time here. */
async function eventually<T>(ask: () => Promise<T>, want: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await ask();
  while (!want(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 5));
    v = await ask();
  }
  return v;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

onEveryController('timers', (h) => {
  it('delivers sendAfter from the main thread to an actor on another thread', async () => {
    const rt = h.runtime();
    const n = rt.spawnWith(h.on(1), Notes);
    const t = sendAfter(20, n, 'note', 'later', { x: 1 });
    expect(t.pending).to.equal(true);
    const seen = await eventually(
      () => n.call<unknown[]>('notes'),
      (v) => v.length > 0,
    );
    expect(seen).to.deep.equal([{ args: ['later', { x: 1 }], senderIsNull: true }]);
    expect(t.pending).to.equal(false);
  });

  it('delivers sendAfter started inside an actor to an actor on another thread', async () => {
    const rt = h.runtime();
    const a = rt.spawnWith(h.on(1), Timed);
    const n = rt.spawnWith(h.on(2), Notes);
    expect(await a.call('sendAfter', [20, n.ref, 'incr', 3])).to.equal(true);
    expect(
      await eventually(
        () => n.call<number>('count'),
        (c) => c === 3,
      ),
    ).to.equal(3);
  });

  it('cancels a pending sendAfter whose target is on another thread', async () => {
    const rt = h.runtime();
    const n = rt.spawnWith(h.on(1), Notes);
    const t = rt.sendAfter(30, n, 'incr');
    expect(t.cancel()).to.equal(true);
    await pause(100);
    expect(await n.call('count')).to.equal(0);
  });

  it("cancels an actor's sendAfter timers when it exits (the target on another thread gets nothing)", async () => {
    const rt = h.runtime();
    const a = rt.spawnWith(h.on(1), Timed);
    const n = rt.spawnWith(h.on(2), Notes);
    expect([await a.call('ticks'), await n.call('count')], 'both are up').to.deep.equal([0, 0]);
    a.cast('armAndStop', 30, n.ref, 'incr', 1);
    await pause(150);
    expect(await n.call('count')).to.equal(0);
  });

  it('runs keyed periodic timers of an actor on a worker thread, and stops them for good', async () => {
    const rt = h.runtime();
    const a = rt.spawnWith(h.on(1), Timed);
    await a.call('every', ['tick', 5]);
    expect(
      await eventually(
        () => a.call<number>('ticks'),
        (n) => n >= 3,
      ),
    ).to.be.at.least(3);
    const stopped = await a.call<number>('stopTicking', ['tick']);
    await pause(60);
    expect(await a.call('ticks')).to.equal(stopped);
    expect(await a.call('isActive', ['tick'])).to.equal(false);
  });

  it('drops a timer message to a target that died, with no error', async () => {
    const rt = h.runtime();
    const n = rt.spawnWith(h.on(1), Notes);
    expect(await n.call('count')).to.equal(0);
    const t = sendAfter(20, n, 'incr');
    exit(n, 'kill');
    await pause(80);
    expect(t.pending).to.equal(false);
    expect(h.logger.warn.called).to.equal(false);
    expect(h.logger.error.called).to.equal(false);
  });
});
