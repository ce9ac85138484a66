/**
 * Names are cluster-wide: registered on one node, found on every node; a name held on another node is
 * taken (NameTakenError naming the node); a name is free again when its holder exits or its node is lost.
 */
import { expect } from 'chai';
import {
  connectNode,
  exit,
  NameTakenError,
  type Runtime,
  silentLogger,
  spawn,
  spawnWith,
} from '../../src/index.js';
import { Account } from './fixtures/actors.js';
import { NatsServer } from './nats-server.js';
import { clusterRuntime, type NodeProcess, startNode } from './nodes.js';

describe('names across a cluster', function () {
  this.timeout(90_000);
  let nats: NatsServer;
  let runtimes: Runtime[] = [];
  let procs: NodeProcess[] = [];
  let n = 0;
  const node = (name: string) => {
    const rt = clusterRuntime({ nats: nats.url, cluster: `names${n}`, node: name }, { logger: silentLogger });
    runtimes.push(rt);
    return rt;
  };
  /** Polls until `f` holds (the name table reaches other nodes asynchronously). */
  const until = async (f: () => Promise<boolean>) => {
    for (let i = 0; i < 300; i++) {
      if (await f()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('condition not met in 15 s');
  };

  before(async () => {
    nats = await NatsServer.start();
  });
  after(async () => {
    await nats?.stop();
  });
  beforeEach(() => {
    n++;
  });
  afterEach(async () => {
    await Promise.all(runtimes.map((r) => r.shutdown()));
    await Promise.all(procs.map((p) => p.stop()));
    runtimes = [];
    procs = [];
  });

  it('finds on one node a name registered on another, and refuses it to a third actor elsewhere', async () => {
    const a = node('a');
    const b = node('b');
    await a.run(async () => {
      await connectNode('b');
      const acc = spawn(Account, 7);
      await a.register('bank', acc);
      await until(async () => (await b.whereis('bank')) !== undefined);
      const found = await b.whereis('bank', Account);
      expect(await found!.deposit(1)).to.equal(8);
      const other = b.spawn(Account, 0);
      const err = await b.register('bank', other).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(NameTakenError);
      expect((err as Error).message).to.include('on node a');
    });
  });

  it('gives one of several nodes registering one name at once the name, and the others NameTakenError', async () => {
    const nodes = ['a', 'b', 'c'].map(node);
    await nodes[0]!.run(async () => {
      await connectNode('b');
      await connectNode('c');
      const results = await Promise.allSettled(
        nodes.map((rt) => rt.register('leader', rt.spawn(Account, 0))),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).to.be.instanceOf(NameTakenError);
      }
    });
  });

  it('frees a name when its holder exits, and when its node is killed', async () => {
    const a = node('a');
    const peer = await startNode({ nats: nats.url, cluster: `names${n}`, node: 'peer' });
    procs.push(peer);
    await a.run(async () => {
      await connectNode('peer');
      const acc = spawn(Account, 0);
      await a.register('x', acc);
      exit(acc, 'kill');
      await until(async () => (await a.whereis('x')) === undefined);
      await a.register('x', spawn(Account, 0)); // free again
      await a.unregister('x');
      // Registered by the peer's node for its actor; the peer dies; the name is freed by the survivors.
      const remote = spawnWith({ node: 'peer' }, Account, 0);
      await a.register('y', remote);
      await until(async () => (await a.whereis('y')) !== undefined);
      peer.signal('SIGKILL');
      await until(async () => (await a.whereis('y')) === undefined);
      await a.register('y', spawn(Account, 0));
    });
  });
});
