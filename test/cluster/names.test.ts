/**
 * The cluster name registry (src/cluster/names.ts) against nats-server processes this test starts:
 * claims racing over several connections, takeover of dead owners' names, CAS releases, odd names,
 * bad values in the bucket, and a broker outage.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { expect } from 'chai';
import {
  ClusterNames,
  type ClusterNamesOptions,
  ClusterNamesUnavailableError,
  keyToName,
  MAX_NAME_BYTES,
  MAX_VALUE_BYTES,
  nameToKey,
} from '../../src/cluster/names.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { NatsServer } from './nats-server.js';

/** Polls `cond` every 5 ms until it holds; fails after `ms` (generous: the watch answers in well under 1 ms). */
async function eventually(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('ClusterNames (the cluster name registry on NATS KV)', function () {
  this.timeout(60_000);
  let server: NatsServer;
  const conns: NatsConnection[] = [];
  const opened: ClusterNames[] = [];
  let clusterSeq = 0;
  let cluster = '';

  const conn = async (): Promise<NatsConnection> => {
    const nc = await connect({
      servers: server.url,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
      pingInterval: 2000,
    });
    conns.push(nc);
    return nc;
  };

  const open = async (
    self: string,
    o: Partial<ClusterNamesOptions> = {},
    nc?: NatsConnection,
  ): Promise<ClusterNames> => {
    const names = await ClusterNames.open(nc ?? (await conn()), { cluster, self, isAlive: () => true, ...o });
    opened.push(names);
    return names;
  };

  before(async () => {
    server = await NatsServer.start();
  });
  after(async () => {
    await server?.stop();
  });
  beforeEach(() => {
    cluster = `t${++clusterSeq}`; // a fresh bucket per test
  });
  afterEach(async () => {
    for (const n of opened.splice(0)) await n.close();
    for (const nc of conns.splice(0)) await nc.close();
  });

  it('encodes any well-formed name to a KV key and back, and rejects a too-long name saying the limit', () => {
    for (const name of ['a', 'a b', 'ü', '.', '>', '*', '__proto__', '😀', 'x'.repeat(MAX_NAME_BYTES)]) {
      const key = nameToKey(name);
      expect(key).to.match(/^[-/_=.a-zA-Z0-9]+$/);
      expect(keyToName(key)).to.equal(name);
    }
    expect(() => nameToKey('x'.repeat(MAX_NAME_BYTES + 1)))
      .to.throw(InvalidArgumentError)
      .with.property('message')
      .that.includes(`at most ${MAX_NAME_BYTES} bytes`);
    expect(() => nameToKey('ü'.repeat(MAX_NAME_BYTES / 2 + 1))).to.throw(InvalidArgumentError);
    expect(() => nameToKey('')).to.throw(InvalidArgumentError);
    expect(() => nameToKey('\uD800')).to.throw(InvalidArgumentError, /surrogate/);
    expect(keyToName('not.base64')).to.equal(undefined);
    expect(keyToName('YQ=')).to.equal(undefined);
  });

  it('claims a name, shows it to another connection through its cache, and releases it', async () => {
    const a = await open('A~1');
    const b = await open('B~1');
    expect(await a.claim('svc', { place: 3, n: 7 })).to.deep.equal({ ok: true });
    expect(a.lookup('svc')).to.deep.equal({ owner: 'A~1', ref: { place: 3, n: 7 } });
    expect(a.held()).to.deep.equal(['svc']);
    await eventually(() => b.lookup('svc') !== undefined, "B's cache shows 'svc'");
    expect(b.lookup('svc')).to.deep.equal({ owner: 'A~1', ref: { place: 3, n: 7 } });
    expect(await b.claim('svc', 'other')).to.deep.equal({
      ok: false,
      holder: { owner: 'A~1', ref: { place: 3, n: 7 } },
    });

    expect(await a.release('svc', { place: 3, n: 7 })).to.equal(true);
    expect(a.lookup('svc')).to.equal(undefined);
    expect(a.held()).to.deep.equal([]);
    await eventually(() => b.lookup('svc') === undefined, "B's cache drops 'svc'");
    expect(await b.claim('svc', 'other')).to.deep.equal({ ok: true });
    await eventually(() => a.lookup('svc')?.owner === 'B~1', "A's cache shows B's claim");
  });

  it('loads the current contents before open resolves', async () => {
    const a = await open('A~1');
    await a.claim('one', 1);
    await a.claim('two', 2);
    await a.release('two');
    const c = await open('C~1');
    expect(c.lookup('one')).to.deep.equal({ owner: 'A~1', ref: 1 });
    expect(c.lookup('two')).to.equal(undefined);
  });

  it('gives a name claimed concurrently from 5 connections to exactly one, the others getting its entry', async () => {
    const all = await Promise.all([1, 2, 3, 4, 5].map((i) => open(`N${i}~1`)));
    for (let round = 0; round < 5; round++) {
      const name = `race-${round}`;
      const results = await Promise.all(all.map((n, i) => n.claim(name, { i })));
      const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
      expect(winners, JSON.stringify(results)).to.have.length(1);
      const w = winners[0]!;
      for (const r of results) {
        if (!r.ok) expect(r.holder).to.deep.equal({ owner: `N${w + 1}~1`, ref: { i: w } });
      }
    }
  });

  it('treats claiming a name it holds for the same ref as ok, for another ref as taken', async () => {
    const a = await open('A~1');
    expect(await a.claim('n', 'r1')).to.deep.equal({ ok: true });
    expect(await a.claim('n', 'r1')).to.deep.equal({ ok: true });
    expect(await a.claim('n', 'r2')).to.deep.equal({ ok: false, holder: { owner: 'A~1', ref: 'r1' } });
  });

  it("takes over a name whose owner is dead, and hides a dead owner's name from lookup", async () => {
    const dead = new Set<string>();
    const a = await open('A~1');
    const b = await open('B~1', { isAlive: (o) => !dead.has(o) });
    expect(await a.claim('job', 'a-ref')).to.deep.equal({ ok: true });
    await eventually(() => b.lookup('job') !== undefined, "B sees A's claim");
    dead.add('A~1');
    expect(b.lookup('job')).to.equal(undefined);
    expect(await b.claim('job', 'b-ref')).to.deep.equal({ ok: true });
    expect(b.lookup('job')).to.deep.equal({ owner: 'B~1', ref: 'b-ref' });
    await eventually(() => a.lookup('job')?.owner === 'B~1', "A's cache shows the takeover");
    expect(a.held()).to.deep.equal([]);
  });

  it('returns false for a release of a name it does not hold (or holds for another ref) and leaves the name', async () => {
    const a = await open('A~1');
    const b = await open('B~1');
    expect(await b.release('nobody')).to.equal(false);
    await a.claim('mine', 'r');
    expect(await b.release('mine')).to.equal(false);
    expect(await a.release('mine', 'other-ref')).to.equal(false);
    const kv = await new Kvm(conns[0]!).open(`parley_${cluster}_names`);
    const e = await kv.get(nameToKey('mine'));
    expect(e?.operation).to.equal('PUT');
    expect(JSON.parse(e!.string())).to.include({ owner: 'A~1', ref: 'r' });
    expect(a.lookup('mine')).to.deep.equal({ owner: 'A~1', ref: 'r' });
  });

  it("frees exactly a dead owner's names, each once when two survivors race", async () => {
    const x = await open('X~1');
    const y = await open('Y~1');
    for (let i = 0; i < 20; i++) await x.claim(`x${i}`, i);
    await y.claim('y0', 'keep');
    const s1 = await open('S1~1');
    const s2 = await open('S2~1');
    // Both survivors' caches hold everything (open loads the current contents).
    expect(s1.lookup('x19')?.owner).to.equal('X~1');
    expect(s2.lookup('x19')?.owner).to.equal('X~1');
    const [n1, n2] = await Promise.all([s1.releaseOwner('X~1'), s2.releaseOwner('X~1')]);
    expect(n1 + n2).to.equal(20);
    await eventually(() => s1.lookup('x0') === undefined && s1.lookup('x19') === undefined, 'names freed');
    for (let i = 0; i < 20; i++) expect(s1.lookup(`x${i}`), `x${i}`).to.equal(undefined);
    expect(s1.lookup('y0')).to.deep.equal({ owner: 'Y~1', ref: 'keep' });
    expect(await s1.releaseOwner('X~1')).to.equal(0);
    await eventually(() => x.held().length === 0, "X's own cache sees its names freed");
    expect(y.held()).to.deep.equal(['y0']);
  });

  it('works with odd names: spaces, non-ASCII, subject wildcards, __proto__', async () => {
    const a = await open('A~1');
    const b = await open('B~1');
    const odd = ['a b', 'ü', '.', '>', '*', '__proto__', 'a.b.>', '😀', 'x'.repeat(MAX_NAME_BYTES)];
    for (const name of odd) expect(await a.claim(name, { name }), name).to.deep.equal({ ok: true });
    expect(a.held().sort()).to.deep.equal([...odd].sort());
    await eventually(() => odd.every((n) => b.lookup(n) !== undefined), 'B sees every odd name');
    for (const name of odd) expect(b.lookup(name)).to.deep.equal({ owner: 'A~1', ref: { name } });
    expect(b.lookup('a')).to.equal(undefined);
    expect(({} as Record<string, unknown>).owner).to.equal(undefined); // no prototype pollution
    for (const name of odd) expect(await a.release(name), name).to.equal(true);
    await eventually(() => odd.every((n) => b.lookup(n) === undefined), 'B sees every odd name go');
    await expectReject(a.claim('x'.repeat(MAX_NAME_BYTES + 1), 1), InvalidArgumentError);
    await expectReject(a.claim('big', 'x'.repeat(MAX_VALUE_BYTES)), InvalidArgumentError);
    await expectReject(
      a.claim('fn', () => 1),
      InvalidArgumentError,
    );
  });

  it('ignores a bad value put directly into the bucket, and takes that name over', async () => {
    const debug: string[] = [];
    const a = await open('A~1', { debug: (m) => debug.push(m) });
    const kv = await new Kvm(conns[0]!).open(`parley_${cluster}_names`);
    const bad = [
      'not json',
      '[1,2]',
      '{"owner":5,"ref":1,"token":"t"}',
      '{"owner":"Z~1","token":"t"}',
      'null',
    ];
    for (let i = 0; i < bad.length; i++) await kv.put(nameToKey(`bad${i}`), bad[i]!);
    await kv.put('not.a.name', '{"owner":"Z~1","ref":1,"token":"t"}');
    await kv.put(nameToKey('good'), '{"owner":"Z~1","ref":1,"token":"t"}');
    await eventually(() => a.lookup('good') !== undefined, 'the good value arrives');
    for (let i = 0; i < bad.length; i++) expect(a.lookup(`bad${i}`)).to.equal(undefined);
    expect(debug.filter((m) => m.includes('bad value'))).to.have.length(bad.length);
    expect(debug.some((m) => m.includes('not.a.name'))).to.equal(true);
    expect(await a.claim('bad0', 'mine')).to.deep.equal({ ok: true });
    expect(a.lookup('bad0')).to.deep.equal({ owner: 'A~1', ref: 'mine' });
    // A late opener reads the same bucket the same way.
    const b = await open('B~1');
    expect(b.lookup('bad1')).to.equal(undefined);
    expect(b.lookup('good')).to.deep.equal({ owner: 'Z~1', ref: 1 });
  });

  it('settles a claim within timeoutMs while the broker is down, and works again after its restart', async () => {
    const timeoutMs = 500;
    const a = await open('A~1', { timeoutMs });
    const b = await open('B~1', { timeoutMs });
    await a.claim('before', 1);
    await eventually(() => b.lookup('before') !== undefined, 'B sees the claim before the outage');
    await server.kill();
    try {
      for (const call of [
        () => a.claim('during', 2),
        () => a.release('before'),
        () => b.releaseOwner('A~1'),
      ]) {
        const t0 = Date.now();
        const err = await call().then(
          (v) => new Error(`resolved ${JSON.stringify(v)}`),
          (e: unknown) => e,
        );
        const took = Date.now() - t0;
        expect(err).to.be.instanceOf(ClusterNamesUnavailableError);
        expect(took, 'settled within timeoutMs (plus timer slack)').to.be.below(timeoutMs + 400);
      }
      expect(a.lookup('before'), 'lookups keep working from the cache').to.deep.equal({
        owner: 'A~1',
        ref: 1,
      });
    } finally {
      await server.restart();
    }
    // After the restart (store kept): claims work again (retry while JetStream comes up), the watch is back.
    let r: Awaited<ReturnType<ClusterNames['claim']>> | undefined;
    const until = Date.now() + 20_000;
    while (r === undefined) {
      r = await a.claim('after', 3).catch((err: unknown) => {
        if (!(err instanceof ClusterNamesUnavailableError) || Date.now() > until) throw err;
        return undefined;
      });
    }
    expect(r).to.deep.equal({ ok: true });
    await eventually(
      () => b.lookup('after') !== undefined,
      "B's restarted watch shows the new claim",
      20_000,
    );
    expect(b.lookup('before')).to.deep.equal({ owner: 'A~1', ref: 1 });
    expect(await a.release('before', 1)).to.equal(true);
    await eventually(() => b.lookup('before') === undefined, "B's watch shows the release", 20_000);
  });

  it("gives a dead owner's name to exactly one of 4 survivors taking it over at once", async () => {
    const a = await open('A~1');
    await a.claim('orphan', 'a');
    const all = await Promise.all([1, 2, 3, 4].map((i) => open(`S${i}~1`, { isAlive: (o) => o !== 'A~1' })));
    const results = await Promise.all(all.map((n, i) => n.claim('orphan', i)));
    const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
    expect(winners, JSON.stringify(results)).to.have.length(1);
    for (const r of results)
      if (!r.ok) expect(r.holder).to.deep.equal({ owner: `S${winners[0]! + 1}~1`, ref: winners[0] });
  });

  it('decides a claim and a release whose answers time out by reading the name back (broker paused, not gone)', async () => {
    const timeoutMs = 1500;
    const log: string[] = [];
    let paused = false;
    const resume = () => {
      if (paused) process.kill(server.pid!, 'SIGCONT');
      paused = false;
    };
    const a = await open('A~1', {
      timeoutMs,
      debug: (m) => {
        log.push(m);
        if (m.includes('outcome unknown')) resume(); // the write was sent and timed out: let it land now
      },
    });
    const b = await open('B~1');
    /** SIGSTOP, and wait until every thread of the server has stopped (the signal takes effect asynchronously). */
    const pause = async () => {
      process.kill(server.pid!, 'SIGSTOP');
      paused = true;
      await eventually(() => threadStates(server.pid!).every((st) => st === 'T'), 'the server stops');
    };
    try {
      await pause();
      expect(await a.claim('slow', 'r')).to.deep.equal({ ok: true });
      expect(
        log.some((m) => m.includes("claim 'slow': outcome unknown")),
        JSON.stringify(log),
      ).to.equal(true);
      await eventually(() => b.lookup('slow') !== undefined, 'B sees the claim');
      expect(b.lookup('slow')).to.deep.equal({ owner: 'A~1', ref: 'r' });

      await pause();
      expect(await a.release('slow', 'r')).to.equal(true);
      expect(
        log.some((m) => m.includes("release 'slow': outcome unknown")),
        JSON.stringify(log),
      ).to.equal(true);
      await eventually(() => b.lookup('slow') === undefined, 'B sees the release');
    } finally {
      resume();
    }
  });

  it('rebuilds its cache from the bucket after a reconnect, dropping entries removed without an event', async () => {
    const a = await open('A~1');
    const log: string[] = [];
    const ncB = await conn();
    const b = await open('B~1', { debug: (m) => log.push(m) }, ncB);
    await a.claim('ghost', 1);
    await a.claim('stays', 2);
    await eventually(() => b.lookup('ghost') !== undefined && b.lookup('stays') !== undefined, 'B sees both');
    // Remove 'ghost' from the stream itself (as max_age or an operator's purge does): no watch event.
    const stream = `KV_parley_${cluster}_names`;
    const reply = await conns[0]!.request(
      `$JS.API.STREAM.PURGE.${stream}`,
      JSON.stringify({ filter: `$KV.parley_${cluster}_names.${nameToKey('ghost')}`, keep: 0 }),
    );
    expect(reply.json<{ purged: number }>().purged).to.equal(1);
    expect(b.lookup('ghost'), 'no event told B').to.deep.equal({ owner: 'A~1', ref: 1 });
    await ncB.reconnect();
    await eventually(() => b.lookup('ghost') === undefined, "B's rebuilt cache has no 'ghost'");
    expect(b.lookup('stays')).to.deep.equal({ owner: 'A~1', ref: 2 });
    expect(log.some((m) => m.includes('restarting the watch'))).to.equal(true);
    await a.claim('later', 3);
    await eventually(() => b.lookup('later') !== undefined, 'the new watch delivers updates');
  });

  it('rejects open with a bad cluster name', async () => {
    const nc = await conn();
    await expectReject(
      ClusterNames.open(nc, { cluster: 'a.b', self: 'A~1', isAlive: () => true }),
      InvalidArgumentError,
    );
  });
});

/** The scheduler states of every thread of process `pid` ('T' = stopped). */
function threadStates(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).map((t) => {
    const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  });
}

async function expectReject(p: Promise<unknown>, cls: new (...args: never[]) => Error): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(cls);
}
