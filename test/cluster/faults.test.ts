/**
 * Cluster fault tests: each provokes a fault (a busy node killed, the broker killed and restarted, a
 * slow consumer cut off by the broker, an oversize message, wrong secrets and credentials, replayed,
 * foreign and unsigned envelopes) and checks the cluster's promises, counting what was lost:
 * per-pair FIFO while a session is up; at most once; loss only at a session break, and every break
 * reported as 'noconnection'; every call resolves; an oversize message fails at once at the sender;
 * nothing from another cluster, with a bad signature or a replayed sequence is accepted.
 *
 * The counts are printed (`[faults] …`) so a run shows what each fault cost.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { expect } from 'chai';
import { clusterKey, openBatch, sealBatch } from '../../src/cluster/envelope.js';
import {
  ActorExitedError,
  type ActorRef,
  connectNode,
  link,
  type Message,
  MessageTooLargeError,
  monitor,
  monitorNode,
  NoSuchNodeError,
  nodes,
  type Runtime,
  recv,
  silentLogger,
  spawn,
  spawnWith,
  trapExit,
} from '../../src/index.js';
import { Account } from './fixtures/actors.js';
import { Recorder, type RecorderStats } from './fixtures/recorder.js';
import { NatsServer } from './nats-server.js';
import { clusterRuntime, type NodeProcess, startNode } from './nodes.js';

const SECRET = 'faults-test-secret-0123456789';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const turn = () => new Promise<void>((r) => setImmediate(r));

function report(line: string): void {
  console.log(`      [faults] ${line}`);
}

/** The transport's counters of a runtime in this process. */
function counters(rt: Runtime): {
  rejected: number;
  breaks: number;
  batchesIn: number;
  batchesOut: number;
  packetsIn: number;
  packetsOut: number;
} {
  return (rt.cluster as unknown as { counters: never }).counters;
}

/** Resolves once a runtime that runs no main of its own has joined its cluster. */
function joined(rt: Runtime): Promise<void> {
  return (rt as unknown as { joining: Promise<void> }).joining;
}

/** Monitors `target` from a local actor of its own: resolves with the DOWN message and when it came. */
function watchDown(target: ActorRef): Promise<{ down: Message; at: number }> {
  return new Promise((resolve) => {
    spawn(async () => {
      monitor(target);
      const down = await recv('DOWN');
      resolve({ down, at: performance.now() });
    });
  });
}

/** Polls `cond` until it holds (or throws after `ms`, saying `what`). */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** Retries `f` (a call across a session that may just have broken again) until it resolves. */
async function retry<T>(f: () => Promise<T>, ms: number): Promise<T> {
  const end = performance.now() + ms;
  for (;;) {
    try {
      return await f();
    } catch (err) {
      if (performance.now() > end) throw err;
      await sleep(100);
    }
  }
}

type Outcome = { ok: true; v: unknown } | { ok: false; e: unknown };
const settle = (p: Promise<unknown>): Promise<Outcome> =>
  p.then(
    (v) => ({ ok: true, v }),
    (e: unknown) => ({ ok: false, e }),
  );

const isNoConnection = (e: unknown) => e instanceof ActorExitedError && e.reason === 'noconnection';

/** Asserts what a Recorder took is a subsequence of 0..sent-1 in order without repeats; returns the loss. */
function checkStream(st: RecorderStats, sent: number, what: string): number {
  const lost = sent - st.got;
  report(
    `${what}: sent ${sent}, delivered ${st.got}, lost ${lost} in ${st.gaps.length} gap(s) ` +
      `${JSON.stringify(st.gaps.slice(0, 5))}, out of order ${st.disorder}, duplicated ${st.dups}`,
  );
  expect(st.disorder, `${what}: arrivals out of order`).to.equal(0);
  expect(st.dups, `${what}: duplicates`).to.equal(0);
  expect(st.max, `${what}: numbers never sent arrived`).to.be.below(sent);
  expect(lost, `${what}: lost`).to.be.at.least(0);
  return lost;
}

describe('cluster faults', function () {
  this.timeout(90_000);
  let nats: NatsServer;
  const servers: NatsServer[] = [];
  const procs: NodeProcess[] = [];
  const runtimes: Runtime[] = [];
  const clients: NatsConnection[] = [];
  let n = 0;
  let cl = '';

  const proc = async (o: Parameters<typeof startNode>[0]) => {
    const p = await startNode(o);
    procs.push(p);
    return p;
  };
  const runtime = (...a: Parameters<typeof clusterRuntime>) => {
    const rt = clusterRuntime(...a);
    runtimes.push(rt);
    return rt;
  };
  const server = async (o: Parameters<typeof NatsServer.start>[0]) => {
    const s = await NatsServer.start(o);
    servers.push(s);
    return s;
  };
  const rawClient = async (url: string) => {
    const nc = await connect({ servers: url });
    clients.push(nc);
    return nc;
  };

  before(async () => {
    nats = await NatsServer.start();
  });
  after(async () => {
    await nats?.stop();
  });
  beforeEach(() => {
    n++;
    cl = `faults${n}`;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close().catch(() => {});
    for (const rt of runtimes.splice(0)) await rt.shutdown().catch(() => {});
    for (const p of procs.splice(0)) await p.stop();
    for (const s of servers.splice(0)) await s.stop();
  });

  it("rejects every pending call and fires links and monitors with 'noconnection' when a busy node is killed (SIGKILL)", async () => {
    const peer = await proc({ nats: nats.url, cluster: cl, node: 'peer' });
    const rt = runtime(
      { nats: nats.url, cluster: cl, node: 'here' },
      { logger: silentLogger, callTimeout: 60_000 },
    );
    const seen = await rt.run(async () => {
      await connectNode('peer');
      trapExit(true);
      const acc = spawnWith({ node: 'peer' }, Account, 0);
      const sleeper = spawnWith({ node: 'peer' }, Account, 0);
      await acc.deposit(1);
      link(acc);
      const mref = monitor(acc);
      const smref = monitor(sleeper);
      const calls: Promise<Outcome>[] = [];
      let casts = 0;
      let replied = 0;
      let balance = 0;
      // Calls that would take a minute: in flight when the node dies.
      for (let i = 0; i < 50; i++) calls.push(settle(sleeper.slow(60_000)));
      let t0 = 0;
      let goneMs = 0;
      // Floods until the node is reported down (the sending goes on while the node is dead, unnoticed).
      const flood = (async () => {
        for (;;) {
          for (let i = 0; i < 300; i++) {
            acc.cast('add');
            casts++;
          }
          for (let i = 0; i < 30; i++)
            calls.push(
              settle(
                acc.deposit(1).then((v) => {
                  replied++;
                  balance = Math.max(balance, v);
                  return v;
                }),
              ),
            );
          await turn();
          if (t0 > 0 && !nodes().includes('peer')) {
            goneMs = performance.now() - t0;
            return;
          }
        }
      })();
      await until(() => replied >= 300, 60_000, '300 replies from the busy node');
      const castsAtKill = casts;
      const callsAtKill = calls.length;
      t0 = performance.now();
      peer.signal('SIGKILL');
      if (process.env.FDEBUG) console.error('kill', t0.toFixed(0));
      await flood;
      const got: Message[] = [];
      while (got.length < 3)
        got.push(await recv((m) => ['EXIT', 'DOWN'].includes(m[0]), { timeout: 20_000 }));
      const detectMs = performance.now() - t0;
      const hang = sleep(30_000).then(() => 'hung' as const);
      const outcomes = await Promise.race([Promise.all(calls), hang]);
      const settledMs = performance.now() - t0;
      return {
        got,
        mref,
        smref,
        detectMs,
        goneMs,
        settledMs,
        outcomes,
        castsAtKill,
        callsAtKill,
        casts,
        balance,
      };
    });
    expect(seen.outcomes, 'pending calls still unresolved 30 s after the kill').to.not.equal('hung');
    const outcomes = seen.outcomes as Outcome[];
    const ok = outcomes.filter((o) => o.ok).length;
    const nocon = outcomes.filter((o) => !o.ok && isNoConnection(o.e)).length;
    const other = outcomes.filter((o) => !o.ok && !isNoConnection(o.e));
    report(
      `SIGKILL busy: ${seen.castsAtKill} casts and ${seen.callsAtKill} calls sent before the kill (last balance seen ` +
        `${seen.balance}: casts and deposits taken; ${seen.casts} casts, ` +
        `${outcomes.length} calls in all); replied ${ok}, rejected 'noconnection' ${nocon}, other ${other.length}; ` +
        `node down after ${seen.goneMs.toFixed(0)} ms, links/monitors told in ${seen.detectMs.toFixed(0)} ms, every call settled in ${seen.settledMs.toFixed(0)} ms`,
    );
    expect(other.map((o) => String((o as { e: unknown }).e))).to.deep.equal([]);
    expect(nocon).to.be.greaterThan(0);
    const exit = seen.got.find((m) => m[0] === 'EXIT')!;
    expect(exit[2][0]).to.equal('noconnection');
    const downs = seen.got.filter((m) => m[0] === 'DOWN').map((m) => m[2]);
    expect(downs).to.have.deep.members([
      ['noconnection', seen.mref],
      ['noconnection', seen.smref],
    ]);
  });

  it('keeps a stream in order without duplicates through a broker kill and restart, reports the loss, and reconnects', async () => {
    const broker = await server({});
    const peer = await proc({ nats: broker.url, cluster: cl, node: 'peer' });
    void peer;
    const rt = runtime(
      { nats: broker.url, cluster: cl, node: 'here' },
      { logger: silentLogger, callTimeout: 20_000 },
    );
    const seen = await rt.run(async () => {
      await connectNode('peer');
      const rec = spawnWith({ node: 'peer' }, Recorder);
      const sleeper = spawnWith({ node: 'peer' }, Account, 0);
      await rec.stats();
      await sleeper.count();
      const watch = watchDown(rec.ref);
      let sent = 0;
      let stop = false;
      const sender = (async () => {
        while (!stop) {
          for (let k = 0; k < 50; k++) rec.cast('n', sent++);
          await sleep(2);
        }
      })();
      await until(() => sent >= 2000, 30_000, '2000 casts sent');
      const before = await rec.stats();
      const sentAtKill = sent;
      const t0 = performance.now();
      // Calls that would take a minute, in flight through the outage: each must settle.
      const inFlight = Array.from({ length: 20 }, () => settle(sleeper.slow(60_000)));
      await broker.kill();
      await sleep(1000);
      await broker.restart();
      const restartedMs = performance.now() - t0;
      const down = await Promise.race([watch, sleep(20_000).then(() => undefined)]);
      const downMs = down === undefined ? Number.NaN : down.at - t0;
      await connectNode('peer', { timeout: 30_000 });
      let tries = 0;
      const first = await retry(() => {
        tries++;
        return rec.stats();
      }, 30_000);
      const backMs = performance.now() - t0;
      // Keep sending a while after the broker is back: the new session must carry it all.
      const sentBack = sent;
      await sleep(500);
      stop = true;
      await sender;
      const after = await retry(() => rec.stats(), 30_000);
      const calls = await Promise.race([Promise.all(inFlight), sleep(30_000).then(() => 'hung' as const)]);
      const peerCounters = await rec.counters();
      return {
        tries,
        breaks: `here ${counters(rt).breaks}, at the peer ${peerCounters.breaks}`,
        calls,
        before,
        sentAtKill,
        sent,
        sentBack,
        first,
        after,
        down: down?.down,
        restartedMs,
        downMs,
        backMs,
      };
    });
    const lost = checkStream(seen.after, seen.sent, 'broker kill+restart');
    report(
      `broker kill+restart: ${seen.sentAtKill} sent before the kill (${seen.before.got} delivered by then); broker ` +
        `back after ${seen.restartedMs.toFixed(0)} ms; DOWN ${seen.down === undefined ? 'never' : `after ${seen.downMs.toFixed(0)} ms`}; ` +
        `calls work again after ${seen.backMs.toFixed(0)} ms; ${seen.sent - seen.sentBack} sent after that`,
    );
    if (lost > 0) expect(seen.down?.[2][0], `lost ${lost} without a report`).to.equal('noconnection');
    // What was sent once the nodes had reached each other again arrived (a new session, unbroken).
    const lateLost = seen.after.gaps.filter(([, last]) => last >= seen.sentBack).length;
    expect(lateLost, 'casts lost after the broker was back and calls worked').to.equal(0);
    expect(seen.after.got).to.be.greaterThan(seen.first.got);
    expect(seen.calls, 'calls in flight through the outage never settled').to.not.equal('hung');
    const reasons = (seen.calls as Outcome[]).map((o) =>
      o.ok ? 'replied' : isNoConnection(o.e) ? 'noconnection' : String(o.e),
    );
    report(
      `broker kill+restart: 20 calls in flight through the outage: ${[...new Set(reasons)].join(', ')}; ` +
        `sessions broken ${seen.breaks}; first call after connectNode took ${seen.tries} tries`,
    );
    expect(reasons).to.deep.equal(Array(20).fill('noconnection'));
  });

  it("reports a slow consumer cut off by the broker as 'noconnection', and loses nothing else", async () => {
    const broker = await server({ maxPending: 256 * 1024, writeDeadline: '1s', maxPayload: 64 * 1024 });
    const peer = await proc({ nats: broker.url, cluster: cl, node: 'peer' });
    // A long down limit here: the peer's silence while stopped must not be what reports the loss.
    const rt = runtime(
      { nats: broker.url, cluster: cl, node: 'here', heartbeat: 4000 },
      { logger: silentLogger, callTimeout: 20_000 },
    );
    const pad = 'x'.repeat(8 * 1024);
    const seen = await rt.run(async () => {
      await connectNode('peer');
      const rec = spawnWith({ node: 'peer' }, Recorder);
      let sent = 0;
      while (sent < 100) rec.cast('n', sent++);
      const first = await rec.stats();
      const mref = monitor(rec);
      peer.signal('SIGSTOP');
      const t0 = performance.now();
      // 32 MB at a stopped reader: far more than the broker's 256 KB allowance and the socket buffers.
      while (sent < 4100) {
        for (let k = 0; k < 20; k++) rec.cast('n', sent++, pad);
        await turn();
      }
      const floodMs = performance.now() - t0;
      await sleep(2500);
      peer.signal('SIGCONT');
      const t1 = performance.now();
      const down = await recv('DOWN', { timeout: 30_000 }).catch(() => undefined);
      const downMs = performance.now() - t1;
      await connectNode('peer', { timeout: 30_000 });
      await retry(() => rec.stats(), 30_000);
      // The new session carries what is sent now.
      const resumed = sent;
      for (let k = 0; k < 100; k++) rec.cast('n', sent++);
      const st = await retry(() => rec.stats(), 30_000);
      const peerCounters = await retry(() => rec.counters(), 30_000);
      return {
        first,
        resumed,
        sent,
        st,
        down,
        mref,
        floodMs,
        downMs,
        peerCounters,
        here: { ...counters(rt) },
      };
    });
    const lost = checkStream(seen.st, seen.sent, 'slow consumer');
    report(
      `slow consumer: flood took ${seen.floodMs.toFixed(0)} ms; DOWN ${seen.down === undefined ? 'never' : `${seen.downMs.toFixed(0)} ms after SIGCONT`}; ` +
        `breaks here ${seen.here.breaks}, at the peer ${seen.peerCounters.breaks}`,
    );
    expect(seen.first.got).to.equal(100);
    expect(lost, 'the broker did not cut the slow consumer off (nothing lost)').to.be.greaterThan(0);
    expect(seen.st.max, 'what was sent after the reconnect did not arrive').to.equal(seen.sent - 1);
    expect(seen.st.gaps.filter(([, last]) => last >= seen.resumed)).to.deep.equal([]);
    expect(seen.down?.[2], `lost ${lost} without a report`).to.deep.equal(['noconnection', seen.mref]);
  });

  it('refuses a message over the size limit at once (a cast and a call throw MessageTooLargeError), and the session goes on', async () => {
    const small = await server({ maxPayload: 64 * 1024 });
    const b = runtime({ nats: small.url, cluster: cl, node: 'b', secret: SECRET }, { logger: silentLogger });
    const a = runtime({ nats: small.url, cluster: cl, node: 'a', secret: SECRET }, { logger: silentLogger });
    const big = 'x'.repeat(100_000);
    const seen = await a.run(async () => {
      await connectNode('b');
      const rec = spawnWith({ node: 'b' }, Recorder);
      const mref = monitor(rec);
      rec.cast('n', 0);
      let thrown: unknown;
      try {
        rec.cast('n', 1, big);
      } catch (err) {
        thrown = err;
      }
      let called: unknown;
      try {
        void rec.call('n', [2, big]);
      } catch (err) {
        called = err;
      }
      rec.cast('n', 3, 'y'.repeat(30_000));
      rec.cast('n', 4);
      const st = await rec.stats();
      const down = await recv('DOWN', { timeout: 0 }).catch(() => undefined);
      return { thrown, called, st, down, mref };
    });
    report(
      `oversize: cast threw ${(seen.thrown as Error)?.name}, call threw ${(seen.called as Error)?.name}; ` +
        `delivered ${JSON.stringify(seen.st)}; breaks a=${counters(a).breaks} b=${counters(b).breaks}`,
    );
    expect(seen.thrown).to.be.instanceOf(MessageTooLargeError);
    expect((seen.thrown as Error).message).to.match(/over the limit/);
    expect(seen.called).to.be.instanceOf(MessageTooLargeError);
    expect(seen.st.got).to.equal(3);
    expect(seen.st.gaps).to.deep.equal([[1, 2]]);
    expect(seen.down).to.equal(undefined);
    expect(counters(a).breaks).to.equal(0);
    expect(counters(b).breaks).to.equal(0);
  });

  it('keeps nodes with different secrets apart (each rejects the other), and joins nodes with the same one', async () => {
    const a = runtime({ nats: nats.url, cluster: cl, node: 'a', secret: SECRET }, { logger: silentLogger });
    const b = runtime(
      { nats: nats.url, cluster: cl, node: 'b', secret: 'another-secret-9876543210' },
      { logger: silentLogger },
    );
    const c = runtime({ nats: nats.url, cluster: cl, node: 'c', secret: SECRET }, { logger: silentLogger });
    const seen = await a.run(async () => {
      const toB = await settle(connectNode('b', { timeout: 2000 }));
      await connectNode('c', { timeout: 20_000 });
      const fromB = await settle(b.connectNode('a', { timeout: 500 }));
      return { toB, fromB, nodes: nodes() };
    });
    const fromB = seen.fromB;
    report(
      `wrong secret: rejected at a ${counters(a).rejected}, at b ${counters(b).rejected}, at c ${counters(c).rejected}`,
    );
    expect(seen.toB.ok).to.equal(false);
    expect((seen.toB as { e: unknown }).e).to.be.instanceOf(NoSuchNodeError);
    expect(fromB.ok).to.equal(false);
    expect(seen.nodes).to.deep.equal(['a', 'c']);
    expect(counters(a).rejected).to.be.greaterThan(0);
    expect(counters(b).rejected).to.be.greaterThan(0);
  });

  it('fails to join with wrong NATS credentials, saying so, and joins with the right ones', async () => {
    const auth = await server({ user: 'parley', password: 'right-password' });
    const bad = runtime(
      { nats: auth.url, cluster: cl, node: 'bad', user: 'parley', pass: 'wrong-password' },
      { logger: silentLogger },
    );
    const badRun = await settle(bad.run(async () => 'ran'));
    const good = runtime(
      { nats: auth.url, cluster: cl, node: 'good', user: 'parley', pass: 'right-password' },
      { logger: silentLogger },
    );
    const other = runtime(
      { nats: auth.url, cluster: cl, node: 'other', user: 'parley', pass: 'right-password' },
      { logger: silentLogger },
    );
    const ok = await good.run(async () => {
      await connectNode('other', { timeout: 20_000 });
      return nodes();
    });
    void other;
    const e = (badRun as { e?: Error }).e;
    report(`wrong credentials: run() ${badRun.ok ? 'resolved' : `rejected: ${e?.name}: ${e?.message}`}`);
    expect(badRun.ok).to.equal(false);
    expect(String(e)).to.match(/authoriz/i);
    expect(ok).to.deep.equal(['good', 'other']);
  });

  it('rejects a replayed batch, and the actor takes its messages once', async () => {
    const b = runtime({ nats: nats.url, cluster: cl, node: 'b', secret: SECRET }, { logger: silentLogger });
    const a = runtime({ nats: nats.url, cluster: cl, node: 'a', secret: SECRET }, { logger: silentLogger });
    const spy = await rawClient(nats.url);
    const captured: Uint8Array[] = [];
    spy.subscribe(`parley.${cl}.n.b`, {
      callback: (_e, m) => {
        captured.push(m.data.slice());
      },
    });
    await spy.flush();
    const seen = await a.run(async () => {
      await connectNode('b');
      const rec = spawnWith({ node: 'b' }, Recorder);
      const mref = monitor(rec);
      for (let i = 0; i < 10; i++) {
        rec.cast('n', i);
        await turn();
      }
      const before = await rec.stats();
      const rejected = counters(b).rejected;
      const batches = captured.length;
      for (const data of captured) spy.publish(`parley.${cl}.n.b`, data);
      await spy.flush();
      await until(() => counters(b).rejected >= rejected + batches, 10_000, 'the replays to be rejected');
      rec.cast('n', 10);
      const after = await rec.stats();
      const down = await recv('DOWN', { timeout: 0 }).catch(() => undefined);
      return { before, after, batches, rejected: counters(b).rejected - rejected, down, mref };
    });
    report(
      `replay: ${seen.batches} captured batches replayed, ${seen.rejected} rejected; delivered ${seen.after.got} ` +
        `(dups ${seen.after.dups}); breaks at b ${counters(b).breaks}`,
    );
    expect(seen.before.got).to.equal(10);
    expect(seen.rejected).to.equal(seen.batches);
    expect(seen.after.got).to.equal(11);
    expect(seen.after.dups).to.equal(0);
    expect(seen.down).to.equal(undefined);
  });

  it('rejects replayed batches and heartbeats of an ended session (after a reconnect): nothing delivered twice, no break', async () => {
    const b = runtime({ nats: nats.url, cluster: cl, node: 'b', secret: SECRET }, { logger: silentLogger });
    const a = runtime({ nats: nats.url, cluster: cl, node: 'a', secret: SECRET }, { logger: silentLogger });
    await joined(a);
    const aKey = (a.cluster as unknown as { self: string }).self;
    const key = clusterKey(cl, SECRET);
    const spy = await rawClient(nats.url);
    const batches: Uint8Array[] = [];
    const beats: Uint8Array[] = [];
    spy.subscribe(`parley.${cl}.n.b`, {
      callback: (_e, m) => {
        batches.push(m.data.slice());
      },
    });
    spy.subscribe(`parley.${cl}.hb`, {
      callback: (_e, m) => {
        if (openBatch(m.data, key, cl).header.from === aKey) beats.push(m.data.slice());
      },
    });
    await spy.flush();
    const seen = await a.run(async () => {
      await connectNode('b');
      const rec = spawnWith({ node: 'b' }, Recorder);
      rec.cast('n', 0);
      await rec.stats();
      // A heartbeat that tells b how far the first session went.
      const beaten = beats.length;
      await until(() => beats.length > beaten, 10_000, "a's next heartbeat");
      const oldBatches = batches.slice();
      const oldBeats = beats.slice();
      // A forced reconnect: a's sessions break and start again with new epochs.
      const breaks = counters(a).breaks;
      await (a.cluster as unknown as { connection: NatsConnection }).connection.reconnect();
      await until(() => counters(a).breaks > breaks, 10_000, 'the reconnect to break the session');
      await connectNode('b', { timeout: 20_000 });
      await retry(() => rec.stats(), 20_000);
      rec.cast('n', 1);
      const mid = await rec.stats();
      const rejected = counters(b).rejected;
      const bBreaks = counters(b).breaks;
      for (const data of oldBatches) spy.publish(`parley.${cl}.n.b`, data);
      for (const data of oldBeats) spy.publish(`parley.${cl}.hb`, data);
      await spy.flush();
      const old = [...oldBatches, ...oldBeats];
      // Replays that are not rejected are taken: wait for all to be rejected, or a while.
      await until(() => counters(b).rejected >= rejected + old.length, 5_000, 'the replays').catch(() => {});
      rec.cast('n', 2);
      const after = await retry(() => rec.stats(), 20_000);
      return {
        mid,
        after,
        replayed: old.length,
        beats: oldBeats.length,
        rejected: counters(b).rejected - rejected,
        newBreaks: counters(b).breaks - bBreaks,
      };
    });
    report(
      `old-session replay: ${seen.replayed} envelopes of the first session replayed (${seen.beats} heartbeats), ` +
        `${seen.rejected} rejected, breaks they caused at b ${seen.newBreaks}; delivered ${JSON.stringify(seen.after)}`,
    );
    expect(seen.after.dups, 'a replayed batch was delivered again').to.equal(0);
    expect(seen.after.got).to.equal(3);
    expect(seen.rejected).to.equal(seen.replayed);
    expect(seen.newBreaks, 'a replay broke the live session').to.equal(0);
  });

  it('reports a killed node down although its recorded heartbeats are replayed', async () => {
    const peer = await proc({ nats: nats.url, cluster: cl, node: 'peer', secret: SECRET });
    const rt = runtime(
      { nats: nats.url, cluster: cl, node: 'here', secret: SECRET },
      { logger: silentLogger },
    );
    const spy = await rawClient(nats.url);
    const key = clusterKey(cl, SECRET);
    const beats: Uint8Array[] = [];
    spy.subscribe(`parley.${cl}.hb`, {
      callback: (_e, m) => {
        if (openBatch(m.data, key, cl).header.from.startsWith('peer~')) beats.push(m.data.slice());
      },
    });
    await spy.flush();
    const seen = await rt.run(async () => {
      await connectNode('peer');
      await until(() => beats.length >= 3, 10_000, "3 of peer's heartbeats");
      monitorNode('peer');
      const rejected = counters(rt).rejected;
      const t0 = performance.now();
      peer.signal('SIGKILL');
      let replayed = 0;
      const replay = setInterval(() => {
        spy.publish(`parley.${cl}.hb`, beats[replayed++ % beats.length]!);
      }, 100);
      try {
        const down = await recv('NODEDOWN', { timeout: 20_000 }).catch(() => undefined);
        return { down, ms: performance.now() - t0, replayed, rejected: counters(rt).rejected - rejected };
      } finally {
        clearInterval(replay);
      }
    });
    report(
      `heartbeat replay: ${seen.replayed} recorded heartbeats replayed, ${seen.rejected} rejected; NODEDOWN ` +
        `${seen.down === undefined ? 'never (20 s)' : `after ${seen.ms.toFixed(0)} ms`}`,
    );
    expect(seen.down?.[2]).to.deep.equal(['peer', 'noconnection']);
    expect(seen.rejected).to.be.greaterThan(0);
  });

  it("rejects a batch from another cluster, even one addressed to this node's incarnation", async () => {
    const xb = runtime({ nats: nats.url, cluster: `${cl}x`, node: 'b' }, { logger: silentLogger });
    const xa = runtime({ nats: nats.url, cluster: `${cl}x`, node: 'a' }, { logger: silentLogger });
    const yb = runtime({ nats: nats.url, cluster: `${cl}y`, node: 'b' }, { logger: silentLogger });
    void xb;
    await joined(yb);
    const spy = await rawClient(nats.url);
    const captured: Uint8Array[] = [];
    spy.subscribe(`parley.${cl}x.n.b`, {
      callback: (_e, m) => {
        captured.push(m.data.slice());
      },
    });
    await spy.flush();
    await xa.run(async () => {
      await connectNode('b');
      const rec = spawnWith({ node: 'b' }, Recorder);
      rec.cast('n', 0);
      await rec.stats();
    });
    // The same batches readdressed to y's b (its incarnation), still saying cluster x (insecure: no signature).
    const ybKey = (yb.cluster as unknown as { self: string }).self;
    const readdressed = captured.map((data) => {
      const { header, packets } = openBatch(data, undefined, `${cl}x`);
      return sealBatch({ ...header, to: ybKey }, packets, undefined);
    });
    const rejected = counters(yb).rejected;
    const packetsIn = counters(yb).packetsIn;
    for (const data of [...captured, ...readdressed]) spy.publish(`parley.${cl}y.n.b`, data);
    await spy.flush();
    const want = captured.length + readdressed.length;
    await until(() => counters(yb).rejected >= rejected + want, 10_000, 'the foreign batches to be rejected');
    report(
      `another cluster: ${want} foreign batches published on y's subject, ${counters(yb).rejected - rejected} rejected, ` +
        `${counters(yb).packetsIn - packetsIn} packets taken`,
    );
    expect(counters(yb).rejected - rejected).to.equal(want);
    expect(counters(yb).packetsIn).to.equal(packetsIn);
    expect(counters(yb).batchesIn).to.equal(0);
  });

  it("rejects an unsigned node's envelopes at a node with a secret (and the other way round)", async () => {
    const signed = runtime(
      { nats: nats.url, cluster: cl, node: 'signed', secret: SECRET },
      { logger: silentLogger },
    );
    const signed2 = runtime(
      { nats: nats.url, cluster: cl, node: 'signed2', secret: SECRET },
      { logger: silentLogger },
    );
    const intruder = runtime({ nats: nats.url, cluster: cl, node: 'intruder' }, { logger: silentLogger });
    const spy = await rawClient(nats.url);
    const captured: Uint8Array[] = [];
    spy.subscribe(`parley.${cl}.n.signed`, {
      callback: (_e, m) => {
        captured.push(m.data.slice());
      },
    });
    await spy.flush();
    await joined(signed);
    await joined(intruder);
    const seen = await signed2.run(async () => {
      await connectNode('signed');
      const toIntruder = await settle(intruder.connectNode('signed', { timeout: 1500 }));
      const toSigned = await settle(connectNode('intruder', { timeout: 500 }));
      const rec = spawnWith({ node: 'signed' }, Recorder);
      rec.cast('n', 0);
      const before = await rec.stats();
      await until(() => captured.length > 0, 10_000, "signed2's batches on the wire");
      // signed2's real batches with their signatures stripped: valid but for the missing signature.
      const stripped = captured.map((d) => {
        const u = d.slice(0, d.length - 32);
        u[2] = 0;
        return u;
      });
      const rejected = counters(signed).rejected;
      for (const d of stripped) spy.publish(`parley.${cl}.n.signed`, d);
      await spy.flush();
      await until(
        () => counters(signed).rejected >= rejected + stripped.length,
        10_000,
        'the unsigned batches to be rejected',
      );
      const after = await rec.stats();
      return {
        before,
        after,
        stripped: stripped.length,
        rejected: counters(signed).rejected - rejected,
        nodes: nodes(),
        signedNodes: signed.nodes(),
        toIntruder,
        toSigned,
      };
    });
    report(
      `unsigned: intruder's connectNode ${seen.toIntruder.ok ? 'succeeded' : 'timed out'}; rejected at signed ` +
        `${counters(signed).rejected}, at intruder ${counters(intruder).rejected}; ${seen.stripped} stripped batches, ` +
        `${seen.rejected} rejected, delivered ${seen.after.got}`,
    );
    expect(seen.toIntruder.ok).to.equal(false);
    expect(seen.toSigned.ok).to.equal(false);
    expect(seen.nodes).to.deep.equal(['signed2', 'signed']);
    expect(seen.signedNodes).to.deep.equal(['signed', 'signed2']);
    expect(counters(intruder).rejected).to.be.greaterThan(0);
    expect(seen.rejected).to.be.at.least(seen.stripped);
    expect(seen.after.got).to.equal(seen.before.got);
  });
});
