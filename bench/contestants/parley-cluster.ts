/**
 * Parley over NATS: two Parley nodes (TaskletController, signed envelopes) in two fresh Node processes
 * (parley-cluster-node.ts), the sending node spawning the workload's actor on the receiving one with
 * `spawnWith({ node })`. The workloads are raw NATS's (nats-raw.ts), with casts and calls of a 40-byte
 * Uint8Array; raw NATS is the yardstick (issue 12's target: ≥ 0.7× for one-way messages and sequential calls).
 */
import { benchScript, freshSubject, natsUrl, runPair } from '../nats.js';
import type { Contestant } from './types.js';

const script = benchScript('contestants', 'parley-cluster-node.ts');

/** A cluster name no other run uses ([A-Za-z0-9_-]{1,32}), from a fresh subject. */
function freshCluster(workload: string): string {
  return freshSubject(workload).split('.').slice(2).join('_').slice(0, 32);
}

async function pair(workload: string, n: number): Promise<number> {
  const url = await natsUrl();
  const cluster = freshCluster(workload);
  const args = [url, cluster, workload, String(n)];
  return runPair(script, ['recv', ...args], ['send', ...args]);
}

export const parleyCluster: Contestant = {
  name: 'Parley cluster',
  natsOneWay: (n) => pair('natsOneWay', n),
  natsCall: (n) => pair('natsCall', n),
  natsCallsInFlight: (n) => pair('natsCallsInFlight', n),
};
