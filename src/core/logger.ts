/**
 * The runtime's logger: crashes nobody is linked to, unhandled messages, supervisor reports. Pass your own
 * (`new Runtime({ logger })`) to route them to pino, winston or a test spy.
 */

import { usefulStack } from './inspect.js';

/** Where the runtime reports what it cannot hand to an actor. `fields` carry the actor, tag, stack. */
export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

/** The default logger: errors and warnings to stderr (with the stack, when there is one); info and debug off. */
export const consoleLogger: Logger = {
  error(message, fields) {
    console.error(`[parley] error: ${message}${stackOf(fields)}`);
  },
  warn(message, fields) {
    console.error(`[parley] warning: ${message}${stackOf(fields)}`);
  },
  info() {},
  debug() {},
};

/** A logger that drops everything (for tests and benchmarks that check reports another way). */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * The error's stack as people need it: the frames of the program, Parley's and Node's counted, not shown
 * (a stack with no frame of the program is Parley's own trouble: it is shown whole).
 */
function stackOf(fields: Record<string, unknown> | undefined): string {
  const err = fields?.error;
  return err instanceof Error && err.stack ? `\n${usefulStack(err) ?? err.stack}` : '';
}
