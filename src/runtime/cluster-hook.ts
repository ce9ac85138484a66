/**
 * @internal The runtime's view of its cluster membership. The cluster module (`src/cluster/`, a layer
 * above) sets `clusterStarter.start` as it loads (index.ts loads it), as the pool and supervision layers
 * set their hooks; the runtime asks it for a `ClusterNode` when the `cluster` option is given.
 */

import type { Descriptor } from '../actors/importable.js';
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
  /** Cluster-wide names (main thread only). */
  readonly names?: ClusterNameTable | undefined;
}

/** @internal The cluster-wide name table, as the registry of a node's main thread uses it. */
export interface ClusterNameTable {
  /** Claims `name` for `ref` (an actor of this node); the live holder if another node's actor holds it. */
  claim(name: string, ref: ActorRef, target: Descriptor | undefined): Promise<ActorRef | undefined>;
  /** Releases `name` if this node holds it for `ref`. */
  release(name: string, ref: ActorRef): void;
  /** The holder of `name` on any node, from the local cache of the table (no round trip). */
  lookup(name: string): { ref: ActorRef; target: Descriptor | undefined } | undefined;
  /** `lookup` read from the table itself (a round trip), for a name the cache does not have yet. */
  fetch(name: string): Promise<{ ref: ActorRef; target: Descriptor | undefined } | undefined>;
  /** The place of the main thread of the node that runs the actor at `place` (to ask it things). */
  mainOf(place: number): number;
}

/** @internal */
export const clusterStarter: { start?: (rt: Runtime, options: ResolvedCluster) => ClusterNode } = {};
