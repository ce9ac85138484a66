/**
 * The controllers the conformance suite runs on. A new controller joins by adding one entry here: every
 * test in test/conformance/ then runs on it unchanged.
 */
import { type Controller, TaskletController, ThreadController } from '../../src/index.js';

export interface ControllerEntry {
  name: string;
  make(): Controller;
  /** Messages cross a copy boundary (structured clone). */
  copies: boolean;
  /** Actors can sit on other threads: every test must cross threads (see harness.ts). */
  threads: boolean;
}

export const controllers: ControllerEntry[] = [
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
];
