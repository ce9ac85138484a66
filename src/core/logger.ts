/**
 * The runtime's logger: crashes nobody is linked to, unhandled messages, supervisor reports. Pass your own
 * (`new Runtime({ logger })`) to route them to pino, winston or a test spy.
 */

import { usefulStack } from './inspect.js';

/** Where the runtime reports what it cannot hand to an actor. `fields` carry the actor, tag, stack. */
export interface Logger {
  /** A crash no linked actor hears of, an `onStop` that threw, a supervisor report, a runtime failure. */
  error(message: string, fields?: Record<string, unknown>): void;
  /** Something went wrong but the program goes on: a message no handler took, a reply that could not go. */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** Noteworthy events ({@link consoleLogger} drops them). */
  info(message: string, fields?: Record<string, unknown>): void;
  /**
   * Detail for debugging, such as dead letters: messages to actors that no longer exist
   * ({@link consoleLogger} drops them).
   */
  debug(message: string, fields?: Record<string, unknown>): void;
}

/** The default logger: errors and warnings to stderr (with the stack, when there is one); info and debug off. */
export const consoleLogger: Logger = {
  error(message, fields) {
    console.error(`[parley] error: ${message}${stackOf(message, fields)}`);
  },
  warn(message, fields) {
    console.error(`[parley] warning: ${message}${stackOf(message, fields)}`);
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
function stackOf(message: string, fields: Record<string, unknown> | undefined): string {
  const err = fields?.error;
  if (!(err instanceof Error) || !err.stack) return '';
  const stack = usefulStack(err) ?? err.stack;
  try {
    // The stack starts with `Name [code]: text`; when the line above ends with `text`, keep `Name [code]`
    // and drop the text: one crash, its text once.
    const text = err.message;
    const at = text === '' || !message.endsWith(text) ? -1 : stack.indexOf(`: ${text}`);
    if (at >= 0 && !stack.slice(0, at).includes('\n')) {
      return `\n${stack.slice(0, at)}${stack.slice(at + 2 + text.length)}`;
    }
  } catch {
    // a getter that throws: print the stack as it is
  }
  return `\n${stack}`;
}
