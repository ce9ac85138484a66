/** OTP's link, monitor and exit-signal rules, one test each. */
import { expect } from 'chai';
import {
  type ActorRef,
  demonitor,
  exit,
  link,
  type Message,
  me,
  monitor,
  recv,
  send,
  spawn,
  spawnLink,
  spawnMonitor,
  spawnWith,
  trapExit,
  unlink,
  whereis,
} from '../../src/index.js';
import {
  Caller,
  Crasher,
  DiesOnCue,
  Done,
  ExitWatcher,
  Idle,
  InstantLinkParent,
  Killer,
  Linked,
  Probe,
  Trapper,
  TrappingServer,
} from './actors.js';
import { onEveryController, settle, until } from './harness.js';

/** Spawn options for the thread `ref` runs on ({} on one thread). */
function threadOf(ref: { ref: ActorRef }): { thread?: number } {
  return ref.ref.thread === me().thread ? {} : { thread: ref.ref.thread };
}

/** Spawns `fn` as an actor, waits for it to exit, and reports its exit reason through a monitor. */
async function reasonOf(target: ActorRef): Promise<unknown> {
  const mref = monitor(target);
  const [, , [reason, ref]] = await recv((m) => m[0] === 'DOWN' && m[2][1] === mref);
  expect(ref).to.equal(mref);
  return reason;
}

onEveryController('links, monitors and exit signals', (h) => {
  it('does not kill a linked actor when its partner exits normally', async () => {
    const alive = await h.runtime().run(async () => {
      const a = spawnWith(h.on(1), Idle);
      const b = spawnWith(h.on(2), Linked, a.ref, me(), 'go');
      await recv('linked');
      const bDown = monitor(b);
      b.cast('go');
      await recv((m) => m[0] === 'DOWN' && m[2][1] === bDown);
      // Called from b's thread: the call follows b's exit signal to a (FIFO between two threads).
      const caller = spawnWith(h.on(2), Caller);
      const r = await caller.callOf(a.ref, 'x', [], 20).then((o) => (o.error as Error | undefined)?.name);
      return r;
    });
    // The idle actor is still alive: the call timed out instead of failing with NoSuchActorError.
    expect(alive).to.equal('CallTimeoutError');
  });

  it('kills a linked, non-trapping actor with the same reason when its partner crashes', async () => {
    const reason = await h.runtime().run(async () => {
      const a = spawnWith(h.on(1), Idle);
      const watch = monitor(a);
      // The monitor is in place before the partner exists (the ping travels behind it). Signals from two
      // senders have no order between them: without this, the partner's crash could reach a first.
      await a.call('ping');
      spawnWith(h.on(2), Linked, a.ref, undefined, 'crash');
      const [, , [r, m]] = await recv('DOWN');
      expect(m).to.equal(watch);
      return r as Error;
    });
    expect(reason).to.be.instanceOf(Error);
    expect(reason.message).to.equal('crash');
  });

  it('delivers ["EXIT", from, [reason], {}] to a trapping linked actor instead of killing it', async () => {
    const msg = await h.runtime().run(async () => {
      trapExit(true);
      const child = spawnLink(Crasher, 'bad');
      const m = await recv('EXIT');
      expect((m[1] as ActorRef).equals(child.ref)).to.equal(true);
      return m;
    });
    expect(msg[0]).to.equal('EXIT');
    expect((msg[2][0] as Error).message).to.equal('bad');
    expect(msg[3]).to.deep.equal({});
  });

  it('delivers a normal exit of a linked actor to a trapping actor as EXIT normal', async () => {
    const reason = await h.runtime().run(async () => {
      trapExit(true);
      spawnLink(Done);
      const [, , [r]] = await recv('EXIT');
      return r;
    });
    expect(reason).to.equal('normal');
  });

  it('cannot trap exit(ref, "kill"): the target dies and linked actors see "killed"', async () => {
    const result = await h.runtime().run(async () => {
      trapExit(true);
      const victim = spawnLink(Trapper);
      const down = monitor(victim);
      await settle();
      exit(victim, 'kill');
      const [, , [exitReason]] = await recv('EXIT');
      const [, , [downReason, m]] = await recv('DOWN');
      expect(m).to.equal(down);
      return [exitReason, downReason];
    });
    expect(result).to.deep.equal(['killed', 'killed']);
  });

  it('propagates "killed" through a link to a non-trapping actor', async () => {
    const reason = await h.runtime().run(async () => {
      const victim = spawnWith(h.on(1), Idle);
      const partner = spawnWith(h.on(2), Linked, victim.ref, me());
      await recv('linked');
      const down = reasonOf(partner.ref);
      // The monitor is in place once a ping behind it on the partner's thread is answered (FIFO): only then
      // may the kill go (signals of different pairs have no order between them, as in Erlang).
      await spawnWith(threadOf(partner), Idle).call('ping');
      exit(victim, 'kill');
      return down;
    });
    expect(reason).to.equal('killed');
  });

  it('sends "noproc" to a trapping actor that links to a dead actor', async () => {
    const msg = await h.runtime().run(async () => {
      trapExit(true);
      const dead = spawnWith(h.on(1), Done);
      await reasonOf(dead.ref);
      link(dead);
      return recv('EXIT');
    });
    expect(msg[2]).to.deep.equal(['noproc']);
  });

  it('kills a non-trapping actor that links to a dead actor with "noproc"', async () => {
    const reason = await h.runtime().run(async () => {
      const dead = spawnWith(h.on(1), Done);
      await reasonOf(dead.ref);
      const linker = spawnWith(h.on(2), Linked, dead.ref);
      return reasonOf(linker.ref);
    });
    expect(reason).to.equal('noproc');
  });

  it('delivers ["DOWN", from, [reason, monitorRef], {}] to a monitoring actor', async () => {
    const msg = await h.runtime().run(async () => {
      const [child, mref] = spawnMonitor(Crasher, 'oops');
      const m = await recv('DOWN');
      expect((m[1] as ActorRef).equals(child.ref)).to.equal(true);
      expect(m[2][1]).to.equal(mref);
      return m;
    });
    expect((msg[2][0] as Error).message).to.equal('oops');
    expect(msg[3]).to.deep.equal({});
  });

  it('delivers DOWN "noproc" at once when monitoring a dead actor', async () => {
    const reason = await h.runtime().run(async () => {
      const dead = spawnWith(h.on(1), Done);
      await reasonOf(dead.ref);
      return reasonOf(dead.ref);
    });
    expect(reason).to.equal('noproc');
  });

  it('does not kill the monitoring actor when the monitored one crashes', async () => {
    const result = await h.runtime().run(async () => {
      spawnMonitor(Crasher, 'x');
      await recv('DOWN');
      return 'still alive';
    });
    expect(result).to.equal('still alive');
  });

  it('stops a monitor with demonitor, and { flush } drops a DOWN already queued', async () => {
    const got = await h.runtime().run(async () => {
      const [a, m1] = spawnMonitor(Idle);
      const [b, m2] = spawnMonitor(Idle);
      expect(demonitor(m1)).to.equal(true);
      exit(a, 'kill');
      exit(b, 'kill');
      // b's DOWN is queued here once both threads have answered a ping sent after the kills (FIFO).
      await Promise.all([threadOf(a), threadOf(b)].map((t) => spawnWith(t, Idle).call('ping')));
      demonitor(m2, { flush: true });
      return recv(undefined, { timeout: 20 }).then(
        (m: Message) => m,
        (e: Error) => e.name,
      );
    });
    expect(got).to.equal('ReceiveTimeoutError');
  });

  it('stops propagation with unlink', async () => {
    const result = await h.runtime().run(async () => {
      const child = spawnLink(DiesOnCue);
      unlink(child);
      const m = monitor(child);
      child.cast('die');
      await recv((msg) => msg[0] === 'DOWN' && msg[2][1] === m);
      return 'survived';
    });
    expect(result).to.equal('survived');
  });

  it('ignores exit(ref, "normal") sent to a non-trapping actor', async () => {
    const r = await h.runtime().run(async () => {
      const a = spawn(Probe);
      exit(a, 'normal');
      await settle();
      return a.incr();
    });
    expect(r).to.equal(1);
  });

  it('ends an actor that sends exit(me(), "normal") to itself', async () => {
    const reason = await h.runtime().run(async () => {
      const a = spawn(Probe);
      const down = reasonOf(a.ref);
      await a.exitSelf('normal').catch(() => {});
      return down;
    });
    expect(reason).to.equal('normal');
  });

  it('ends a non-trapping actor with any other reason sent by exit(ref, reason)', async () => {
    const reason = await h.runtime().run(async () => {
      const a = spawnWith(h.on(1), Idle);
      const down = reasonOf(a.ref);
      exit(a, 'custom');
      return down;
    });
    expect(reason).to.equal('custom');
  });

  it('turns exit(ref, reason) into an EXIT message for a trapping actor, with me() as sender', async () => {
    const out = await h.runtime().run(async () => {
      const t = spawnWith(h.on(1), ExitWatcher, me());
      await recv('ready'); // it traps exits now
      exit(t, 'please stop');
      const [, , args] = await recv('saw');
      return args;
    });
    expect(out).to.deep.equal(['EXIT', true, 'please stop']);
  });

  it('stops a trapping class actor without an EXIT handler on a non-normal EXIT (gen_server style)', async () => {
    const reason = await h.runtime().run(async () => {
      const s = spawn(TrappingServer);
      expect(await s.ping()).to.equal('pong');
      const down = reasonOf(s.ref);
      exit(s, 'shutdown');
      return down;
    });
    expect(reason).to.equal('shutdown');
  });

  it('releases a name before exit signals go out', async () => {
    const seen = await h.runtime().run(async () => {
      trapExit(true);
      const child = spawnLink(DiesOnCue, 'worker', me());
      await recv('registered');
      expect(await whereis('worker')).to.not.equal(undefined);
      child.cast('die');
      await recv('EXIT');
      return whereis('worker');
    });
    expect(seen).to.equal(undefined);
  });

  it('links atomically with spawnLink: a child that crashes at once still kills its parent', async () => {
    const reason = await h.runtime().run(async () => {
      const parent = spawnWith(h.on(1), InstantLinkParent);
      return reasonOf(parent.ref);
    });
    expect((reason as Error).message).to.equal('instant');
  });

  it('logs a crash nobody is linked to, with the actor, the message tag and the stack', async () => {
    const rt = h.runtime();
    const p = rt.spawn(Probe);
    await p.fail('unwatched').catch(() => {});
    await settle();
    await until(() => h.logger.error.called); // a crash on a worker thread is logged here a little later
    expect(h.logger.error.calledOnce).to.equal(true);
    const [text, fields] = h.logger.error.firstCall.args;
    expect(text).to.include(String(p.ref)).and.include("'fail'").and.include('unwatched');
    expect(fields.tag).to.equal('fail');
    expect(fields.error.stack).to.include('unwatched');
  });

  it('does not log a crash that a linked actor receives', async () => {
    const rt = h.runtime();
    await rt.run(async () => {
      trapExit(true);
      spawnLink(Crasher, 'seen by parent');
      await recv('EXIT');
    });
    expect(h.logger.error.called).to.equal(false);
  });

  it('unwinds a killed function actor at its next Parley call with ActorExitedError', async () => {
    const seen = await h.runtime().run(async () => {
      const parent = me();
      let resume!: () => void;
      const gate = new Promise<void>((r) => (resume = r));
      const victim = spawn(async () => {
        await gate; // suspended on something that is not recv()
        try {
          send(parent, 'still here');
        } catch (e) {
          return (e as Error).name;
        }
        return 'not unwound';
      });
      await settle();
      // Killed from another thread: the victim stays here, with the promise it awaits.
      const killer = spawnWith(h.on(1), Killer);
      expect(await killer.call('kill', [victim.ref])).to.equal('killed');
      resume();
      await settle();
      return recv(undefined, { timeout: 20 }).then(
        () => 'a message got out',
        (e: Error) => e.name,
      );
    });
    expect(seen).to.equal('ReceiveTimeoutError');
  });
});
