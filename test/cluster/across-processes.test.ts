/**
 * Nodes as separate processes: an actor spawned on another process's node is called, linked and
 * monitored; a node killed (SIGKILL) or hung (SIGSTOP) is reported as 'noconnection' within the
 * heartbeat limit; a hung node that resumes is reachable again.
 */
import { expect } from 'chai';
import {
  ActorExitedError,
  connectNode,
  link,
  type Message,
  monitor,
  monitorNode,
  nodes,
  type Runtime,
  recv,
  silentLogger,
  spawn,
  spawnWith,
  started,
  ThreadController,
  trapExit,
} from '../../src/index.js';
import { Account, Spawner } from './fixtures/actors.js';
import { NatsServer } from './nats-server.js';
import { clusterRuntime, type NodeProcess, startNode } from './nodes.js';

describe('a cluster of processes', function () {
  this.timeout(90_000);
  let nats: NatsServer;
  let peer: NodeProcess | undefined;
  let rt: Runtime | undefined;
  let n = 0;
  const cluster = () => `procs${n}`;

  before(async () => {
    nats = await NatsServer.start();
  });
  after(async () => {
    await nats?.stop();
  });
  beforeEach(async () => {
    n++;
    peer = await startNode({ nats: nats.url, cluster: cluster(), node: 'peer' });
    rt = clusterRuntime({ nats: nats.url, cluster: cluster(), node: 'here' }, { logger: silentLogger });
  });
  afterEach(async () => {
    await rt?.shutdown();
    await peer?.stop();
  });

  it('calls an actor spawned on a node in another process, whose refs come back as the same actor', async () => {
    const result = await rt!.run(async () => {
      await connectNode('peer');
      expect(nodes()).to.deep.equal(['here', 'peer']);
      const acc = spawnWith({ node: 'peer' }, Account, 10);
      expect(String(acc.ref)).to.match(/^<Account#here\.\d+@peer>$/);
      const who = await acc.whoami();
      expect(who.equals(acc.ref)).to.equal(true);
      return acc.deposit(5);
    });
    expect(result).to.equal(15);
  });

  it("reports a node killed with SIGKILL to links, monitors, node monitors and calls as 'noconnection' within 2.5 s", async () => {
    const seen = await rt!.run(async () => {
      await connectNode('peer');
      trapExit(true);
      const acc = spawnWith({ node: 'peer' }, Account, 0);
      await acc.deposit(1);
      link(acc);
      const mref = monitor(acc);
      monitorNode('peer');
      const pending = acc.slow(60_000).then(
        () => 'replied',
        (e: unknown) => e,
      );
      const t0 = performance.now();
      peer!.signal('SIGKILL');
      const got: Message[] = [];
      while (got.length < 3) got.push(await recv((m) => ['EXIT', 'DOWN', 'NODEDOWN'].includes(m[0])));
      const ms = performance.now() - t0;
      const call = await pending;
      return { got, ms, call, mref };
    });
    const byTag = new Map(seen.got.map((m) => [m[0], m]));
    expect(byTag.get('EXIT')![2][0]).to.equal('noconnection');
    expect(byTag.get('DOWN')![2]).to.deep.equal(['noconnection', seen.mref]);
    expect(byTag.get('NODEDOWN')![2]).to.deep.equal(['peer', 'noconnection']);
    expect(seen.call).to.be.instanceOf(ActorExitedError);
    expect((seen.call as ActorExitedError).reason).to.equal('noconnection');
    expect(seen.ms).to.be.below(2500);
  });

  it('reports a hung node (SIGSTOP) as down, and reaches it again once it resumes (SIGCONT)', async () => {
    const seen = await rt!.run(async () => {
      await connectNode('peer');
      const acc = spawnWith({ node: 'peer' }, Account, 0);
      await acc.deposit(1);
      const mref = monitor(acc);
      peer!.signal('SIGSTOP');
      const down = await recv('DOWN');
      peer!.signal('SIGCONT');
      await connectNode('peer', { timeout: 30_000 });
      // The same incarnation: its actors lived on, and refs to them work again.
      const again = await acc.deposit(1);
      return { down: down[2], mref, again };
    });
    expect(seen.down).to.deep.equal(['noconnection', seen.mref]);
    expect(seen.again).to.equal(2);
  });

  it("spawns from an actor on a worker thread onto a worker thread of another process's node", async () => {
    await peer!.stop();
    peer = await startNode({ nats: nats.url, cluster: cluster(), node: 'peer2', threads: 2 });
    await rt!.shutdown();
    rt = clusterRuntime(
      { nats: nats.url, cluster: cluster(), node: 'here' },
      // Worker threads boot and import the test's modules first: seconds on a loaded machine.
      { logger: silentLogger, controller: new ThreadController({ threads: 2 }), callTimeout: 60_000 },
    );
    const [total, acc, spawner] = await rt.run(async () => {
      await connectNode('peer2');
      const sp = spawn(Spawner);
      // The worker learns the cluster from the main thread: wait until it knows peer2.
      await started(sp);
      return sp.spawnOnWhenUp('peer2', 10);
    });
    expect(total).to.equal(11);
    expect(spawner).to.match(/^<Spawner#here\.\d+@here\/\d+>$/);
    expect(acc).to.match(/^<Account#here\/\d+\.\d+@peer2\/\d+>$/);
  });
});
