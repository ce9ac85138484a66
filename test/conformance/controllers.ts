/**
 * The controllers the conformance suite runs on. A new controller joins by adding one entry here: every
 * test in test/conformance/ then runs on it unchanged.
 */
import { type Controller, TaskletController, ThreadController } from '../../src/index.js';
import { SpreadController } from './cluster-leg.js';

export interface ControllerEntry {
  name: string;
  make(): Controller;
  /** Messages cross a copy boundary (structured clone). */
  copies: boolean;
  /** Actors can sit on other threads: every test must cross threads (see harness.ts). */
  threads: boolean;
  /**
   * Actors under test are spread over two nodes of a cluster, the other node in a separate process
   * (cluster-leg.ts): every test must send something to the other node (see harness.ts).
   */
  cluster?: boolean;
}

const all: ControllerEntry[] = [
  { name: 'TaskletController', make: () => new TaskletController(), copies: false, threads: false },
  {
    name: 'TaskletController({ copyMessages: true })',
    make: () => new TaskletController({ copyMessages: true }),
    copies: true,
    threads: false,
  },
  {
    name: 'ThreadController({ threads: 2 })',
    make: () => new ThreadController({ threads: 2 }),
    copies: true,
    threads: true,
  },
  {
    name: 'ThreadController({ threads: 3 })',
    make: () => new ThreadController({ threads: 3 }),
    copies: true,
    threads: true,
  },
  {
    name: 'cluster (2 nodes: 2 processes over NATS)',
    make: () => new SpreadController(),
    copies: true,
    threads: false,
    cluster: true,
  },
];

/**
 * The legs to run: all, or those whose name contains one of the comma-separated words of PARLEY_LEGS
 * (case-insensitive), e.g. `PARLEY_LEGS=cluster npx mocha test/conformance/calls.test.ts`.
 */
export const controllers: ControllerEntry[] = pick(all, process.env.PARLEY_LEGS ?? '');

function pick(entries: ControllerEntry[], spec: string): ControllerEntry[] {
  const words = spec
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter((w) => w !== '');
  if (words.length === 0) return entries;
  return entries.filter((e) => words.some((w) => e.name.toLowerCase().includes(w)));
}
