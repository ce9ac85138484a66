/** Pools on worker threads, beyond the conformance suite: a lost thread. */
import { expect } from 'chai';
import { Runtime, ThreadController } from '../../src/index.js';
import { exitOf, spyLogger } from '../conformance/harness.js';
import { Member } from '../conformance/routing-actors.js';

describe('pools [ThreadController: a lost thread]', function () {
  this.timeout(120_000);
  it('restarts the members of a lost thread on live threads, and calls go on over the full pool', async () => {
    const controller = new ThreadController({ threads: 2 });
    const rt = new Runtime({ controller, logger: spyLogger(), callTimeout: 60_000 });
    try {
      const p = await rt.pool(Member, { size: 4, intensity: 10 }, 'w');
      const refs = await p.members();
      const before = await Promise.all(refs.map((r) => rt.proxy(r, Member).whoami()));
      const lost = before[0]!.thread;
      expect(before.filter((m) => m.thread === lost).length).to.equal(2);
      const exits = refs.filter((r) => r.thread === lost).map((r) => exitOf(rt, r));
      controller.killThread(lost);
      // (A call sent before the loss is known fails with ActorExitedError('noconnection'): it may have run.)
      expect(await Promise.all(exits)).to.deep.equal(['noconnection', 'noconnection']);
      // Calls go on: members of the lost thread are skipped, then replaced.
      const seen = new Set<number>();
      for (let i = 0; i < 40 && seen.size < 4; i++) {
        const m = await p.whoami();
        expect(m.thread).to.not.equal(lost);
        seen.add(m.id);
      }
      const after = await Promise.all((await p.members()).map((r) => rt.proxy(r, Member).whoami()));
      expect(after.length).to.equal(4);
      expect(after.every((m) => m.thread !== lost)).to.equal(true);
      expect(seen.size).to.equal(4);
    } finally {
      await rt.shutdown();
    }
  });
});
