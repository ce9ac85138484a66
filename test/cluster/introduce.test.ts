/**
 * A node learned out of band (the conformance harness's cluster leg): introduced to a runtime that has
 * not joined yet, it can be spawned on at once, and what is sent to it waits for the connection.
 */
import { expect } from 'chai';
import { type Runtime, silentLogger } from '../../src/index.js';
import { Account } from './fixtures/actors.js';
import { NatsServer } from './nats-server.js';
import { clusterRuntime } from './nodes.js';

describe('a node introduced before the join', function () {
  this.timeout(60_000);
  let nats: NatsServer;
  const made: Runtime[] = [];

  before(async () => {
    nats = await NatsServer.start();
  });
  after(async () => {
    await nats?.stop();
  });
  afterEach(async () => {
    for (const rt of made.splice(0)) await rt.shutdown();
  });

  it('takes a spawn on the introduced node at once and delivers it once this node has joined', async () => {
    const other = clusterRuntime(
      { nats: nats.url, cluster: 'intro', node: 'other' },
      { logger: silentLogger },
    );
    made.push(other);
    await other.connectNode('other'); // joined
    const key = (other.cluster as unknown as { self: string }).self;
    const here = clusterRuntime({ nats: nats.url, cluster: 'intro', node: 'here' }, { logger: silentLogger });
    made.push(here);
    (here.cluster as unknown as { introduce(key: string, threads: number[]): void }).introduce(key, []);
    expect(here.nodes()).to.deep.equal(['here', 'other']);
    // Spawned and called before this node's NATS connection is up.
    const acc = here.spawnWith({ node: 'other' }, Account, 10);
    expect(await acc.deposit(5)).to.equal(15);
    expect(String(acc.ref)).to.match(/@other>$/);
  });
});
