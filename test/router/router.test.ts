/**
 * The router's promises where placements meet: an actor that dies always finishes dying, whatever it dies
 * with; a link, monitor, call or name to a place nobody reaches is answered; bad names never take a thread
 * down; the tree view sees supervisors on any thread; a kill overtakes queued data between threads.
 * Each runs on every controller where it applies, with the partners on different threads on the thread legs.
 */
import { expect } from 'chai';
import {
  ActorExitedError,
  ActorRef,
  type Controller,
  exit,
  Runtime,
  ThreadController,
} from '../../src/index.js';
import { controllers } from '../conformance/controllers.js';
import { spyLogger } from '../conformance/harness.js';
import { Counter, Doomed, Slow, Tree, Watcher } from './router-actors.js';

/** Worker threads to pin partners apart: [a, b] on threads, ['local', 'local'] on tasklets. */
function apart(rt: Runtime): [number | 'local', number | 'local'] {
  const t = rt.fabricThreads();
  return t.length >= 2 ? [t[0]!, t[1]!] : ['local', 'local'];
}

for (const entry of controllers) {
  describe(`Router [${entry.name}]`, function () {
    // Worker threads start slowly on a busy machine: every wait here is an event, with room to spare.
    this.timeout(120_000);
    let rt: Runtime;
    let controller: Controller;
    beforeEach(() => {
      controller = entry.make();
      rt = new Runtime({ controller, logger: spyLogger(), callTimeout: 60_000 });
    });
    afterEach(async () => {
      await rt.shutdown();
      expect(rt.stats().actors).to.equal(0);
    });

    for (const kind of ['symbol', 'function', 'getter', 'cycle']) {
      it(`finishes the death of an actor that dies with a reason that cannot be copied as is (${kind})`, async () => {
        const [a, b] = apart(rt);
        const doomed = rt.spawnWith({ thread: a }, Doomed);
        const watcher = rt.spawnWith({ thread: b }, Watcher);
        await watcher.watch(doomed.ref);
        const down = watcher.down();
        const call = doomed.call('dieWith', [kind]);
        const err = await call.then(
          () => undefined,
          (e: unknown) => e,
        );
        // The caller is answered (not left to its timeout), and the watcher's DOWN arrives.
        expect(err).to.not.equal(undefined);
        const reason = await down;
        expect(reason).to.not.equal(undefined);
        if (kind === 'function') {
          expect((reason as Error).message).to.contain('socket hang up');
          expect((reason as { code?: string }).code).to.equal('ECONNRESET');
        }
      });
    }

    it('restarts a supervised child that died with a reason that cannot be copied', async () => {
      const [a] = apart(rt);
      const sup = rt.spawnWith({ thread: a }, Tree);
      const kids1 = (await sup.call('whichChildren', [])) as { ref: ActorRef }[];
      const first = kids1[0]!.ref;
      await rt
        .proxy(first)
        .call('dieWith', ['symbol'])
        .catch(() => undefined);
      let kids = kids1;
      for (let i = 0; i < 200 && kids[0]!.ref?.equals(first); i++) {
        await new Promise((r) => setTimeout(r, 10));
        kids = (await sup.call('whichChildren', [])) as { ref: ActorRef }[];
      }
      expect(kids[0]!.ref).to.be.instanceOf(ActorRef);
      expect(kids[0]!.ref.equals(first)).to.equal(false);
    });

    it('shows a supervisor in runtime.tree() on whatever thread it runs', async () => {
      const [a] = apart(rt);
      const sup = rt.spawnWith({ thread: a }, Tree);
      await sup.call('whichChildren', []);
      const tree = await rt.tree();
      expect(tree).to.contain('Tree');
      expect(tree).to.contain('doomed');
    });

    it('answers a link and a monitor to an actor on a thread that does not exist with noconnection', async () => {
      const ghost = new ActorRef(99 * 2 ** 32 + 1, 99, 'Ghost', rt);
      const [, b] = apart(rt);
      const watcher = rt.spawnWith({ thread: b }, Watcher);
      expect(await watcher.downOf(ghost)).to.equal('noconnection');
      expect(await watcher.exitOf(ghost)).to.equal('noconnection');
    });

    it('rejects register of a ref on a thread that does not exist instead of never settling', async () => {
      const ghost = new ActorRef(99 * 2 ** 32 + 1, 99, 'Ghost', rt);
      const err = await rt.register('ghost', ghost).catch((e: unknown) => e);
      expect((err as { code?: string }).code).to.equal('ERR_PARLEY_NO_SUCH_ACTOR');
    });

    it('answers whereis with a symbol or a function from an actor with a named error, and the actor lives on', async () => {
      const [a] = apart(rt);
      const watcher = rt.spawnWith({ thread: a }, Watcher);
      expect(await watcher.call('whereis', ['symbol'])).to.equal('ERR_PARLEY_INVALID_ARGUMENT');
      expect(await watcher.call('whereis', ['function'])).to.equal('ERR_PARLEY_INVALID_ARGUMENT');
      expect(await rt.whereis(Symbol('x') as never).catch((e: { code?: string }) => e.code)).to.equal(
        'ERR_PARLEY_INVALID_ARGUMENT',
      );
      expect(await rt.whereis((() => 1) as never).catch((e: { code?: string }) => e.code)).to.equal(
        'ERR_PARLEY_INVALID_ARGUMENT',
      );
      expect(await watcher.call('whereis', [''])).to.equal('ERR_PARLEY_INVALID_ARGUMENT');
    });
  });
}

describe('Router [ThreadController: a lost thread]', function () {
  this.timeout(120_000);
  it('answers a link and a monitor to an actor of a lost thread with noconnection', async () => {
    const controller = new ThreadController({ threads: 2 });
    const rt = new Runtime({ controller, logger: spyLogger(), callTimeout: 60_000 });
    try {
      const [a, b] = apart(rt);
      const doomed = rt.spawnWith({ thread: a }, Doomed);
      const watcher = rt.spawnWith({ thread: b }, Watcher);
      await watcher.watch(doomed.ref);
      const down = watcher.down();
      controller.killThread(a as number);
      expect(await down).to.equal('noconnection');
      // The thread is gone now: a new link or monitor to its actor is answered at once, not never.
      expect(await watcher.downOf(doomed.ref)).to.equal('noconnection');
      expect(await watcher.exitOf(doomed.ref)).to.equal('noconnection');
    } finally {
      await rt.shutdown();
    }
  });
});

describe('Router [ThreadController: urgent exit signals]', function () {
  this.timeout(120_000);
  it('lets a kill overtake messages queued between threads, and calls queued before it fail with ActorExitedError', async () => {
    const controller = new ThreadController({ threads: 2 });
    const rt = new Runtime({ controller, logger: spyLogger(), callTimeout: 60_000 });
    try {
      const [a, b] = apart(rt);
      const counter = rt.spawnWith({ thread: b }, Counter);
      const slow = rt.spawnWith({ thread: a }, Slow);
      const watcher = rt.spawnWith({ thread: b }, Watcher);
      await watcher.watch(slow.ref);
      const down = watcher.down();
      const N = 100_000; // ~2 s of work for Slow: far more than the kill needs to arrive
      for (let i = 0; i < N; i++) slow.cast('work', counter.ref);
      const queuedCall = slow.call('work', [counter.ref], undefined, { timeout: 60_000 });
      rt.spawn(async () => exit(slow, 'kill'));
      expect(await down).to.equal('killed');
      const err = await queuedCall.catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ActorExitedError);
      expect(await counter.call('last', [])).to.be.below(N);
    } finally {
      await rt.shutdown();
    }
  });
});
