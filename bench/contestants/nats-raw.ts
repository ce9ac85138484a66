/**
 * Raw NATS, the yardstick of the cluster workloads: what @nats-io/transport-node does between two Node
 * processes through one nats-server with nothing on top. Each run is two fresh processes
 * (nats-raw-node.ts): natsOneWay publishes 40-byte messages on one subject, pipelined (at most 64k
 * unacknowledged), until the receiver has counted them all; natsCall makes sequential requests to a
 * responder that echoes them; natsCallsInFlight keeps CALLS_IN_FLIGHT requests outstanding.
 */
import { benchScript, freshSubject, natsUrl, runPair } from '../nats.js';
import type { Contestant } from './types.js';

/** How many requests natsCallsInFlight keeps outstanding (issue 12's target is stated for 100). */
export const CALLS_IN_FLIGHT = 100;

const script = benchScript('contestants', 'nats-raw-node.ts');

export const rawNats: Contestant = {
  name: 'raw NATS',
  natsOneWay: async (n) => {
    const url = await natsUrl();
    const subject = freshSubject('oneWay');
    return runPair(script, ['receiver', url, subject, String(n)], ['sender', url, subject, String(n)]);
  },
  natsCall: async (n) => {
    const url = await natsUrl();
    const subject = freshSubject('call');
    return runPair(script, ['responder', url, subject, String(n)], ['caller', url, subject, String(n), '1']);
  },
  natsCallsInFlight: async (n) => {
    const url = await natsUrl();
    const subject = freshSubject('callsInFlight');
    return runPair(
      script,
      ['responder', url, subject, String(n)],
      ['caller', url, subject, String(n), String(CALLS_IN_FLIGHT)],
    );
  },
};
