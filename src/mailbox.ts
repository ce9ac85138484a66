/**
 * An actor's mailbox: FIFO of messages, allocated on an actor's first message. Selective receive takes
 * the first message a filter accepts and leaves the others queued, in order (Erlang's `receive`).
 */
import type { Message } from './message.js';
import { Ring } from './ring.js';

export class Mailbox extends Ring<Message> {}

/** @internal Turns `recv()`'s filter argument into a predicate. */
export function toAccept(
  filter: string | ((msg: Message) => boolean) | undefined,
): (msg: Message) => boolean {
  if (filter === undefined) return acceptAll;
  if (typeof filter === 'string') return (msg) => msg[0] === filter;
  return filter;
}

function acceptAll(): boolean {
  return true;
}
