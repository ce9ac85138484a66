/**
 * The hand-written baseline: the least an actor can be (an array mailbox drained in a loop scheduled with
 * queueMicrotask). No links, no supervision, no calls with timeouts: a yardstick for the message path.
 */
export class MiniActor {
  private readonly box: unknown[] = [];
  private head = 0;
  private scheduled = false;
  constructor(private readonly receive: (msg: unknown) => void) {}

  send(msg: unknown): void {
    this.box.push(msg);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.drain);
    }
  }

  private readonly drain = (): void => {
    const box = this.box;
    while (this.head < box.length) {
      const msg = box[this.head];
      box[this.head++] = undefined;
      this.receive(msg);
    }
    box.length = 0;
    this.head = 0;
    this.scheduled = false;
  };
}

/** Asks `actor` and awaits the answer: the baseline's request/response. */
export function ask(actor: MiniActor, value: unknown): Promise<unknown> {
  return new Promise((resolve) => actor.send({ value, resolve }));
}
