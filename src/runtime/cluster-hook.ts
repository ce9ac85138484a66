/**
 * @internal The runtime's view of its cluster membership. The cluster module (`src/cluster/`, a layer
 * above) sets `clusterStarter.start` as it loads (index.ts loads it), as the pool and supervision layers
 * set their hooks; the runtime asks it for a `ClusterNode` when the `cluster` option is given.
 */
import type { ResolvedCluster } from '../cluster/options.js';
import type { ActorRef } from '../core/ref.js';
import type { Transport } from '../router/transport.js';
import type { SpawnPacket } from '../threads/protocol.js';
import type { Runtime } from './runtime.js';

/** @internal What the runtime uses of its node's cluster transport. */
export interface ClusterNode extends Transport {
  /** This node's name. */
  readonly node: string;
  join(): Promise<void>;
  leave(): Promise<void>;
  /** The place (an alias) a new actor spawned on `node` goes to; NoSuchNodeError if it is not up. */
  placeOn(node: string): number;
  /** Starts an actor on another node's place. */
  spawn(place: number, p: SpawnPacket): void;
  nodes(): string[];
  whenUp(node: string): Promise<void>;
  monitorNode(node: string, watcher: ActorRef): void;
  demonitorNode(node: string, watcher: ActorRef): void;
  /** The node a place belongs to (this node's name for its own threads). */
  nodeOfPlace(place: number): string;
  /** How a place prints: this node's threads as numbers, another node's as `node` or `node/thread`. */
  placeText(place: number): string;
}

/** @internal */
export const clusterStarter: { start?: (rt: Runtime, options: ResolvedCluster) => ClusterNode } = {};
