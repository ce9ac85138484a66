/** Actors for the named-proxy and pool conformance tests (top level of an importable module, for every controller). */
import { Actor, type ActorRef, functionActor, handles, type NamedProxy, named } from '../../src/index.js';

/** A chat room: counts its posts (a new instance starts from 0), crashes on request. */
export class Room extends Actor {
  private posts = 0;

  @handles('post') post(_text: string): number {
    return ++this.posts;
  }

  @handles('where') where(): { id: number; thread: number } {
    return { id: this.self.id, thread: this.self.thread };
  }

  @handles('crash') crash(): never {
    throw new Error('room crashed');
  }

  /** Never answers (for call timeouts). */
  @handles('hang') hang(): Promise<never> {
    return new Promise(() => {});
  }

  /** Named like a named proxy's private state: still a typed method of the proxy. */
  @handles('pending') pending(): string {
    return 'pending';
  }
}

/** Uses a named proxy from inside an actor (on whatever thread it was placed). */
export class NamedCaller extends Actor {
  /** Posts through `named(name, Room)`; returns the count, or the error's code. */
  @handles('postTo') async postTo(name: string): Promise<number | string> {
    try {
      return await this.room(name).post('hi');
    } catch (err) {
      return (err as { code?: string }).code ?? String(err);
    }
  }

  /** Casts through the name; returns 'sent', or the error's code. */
  @handles('castTo') async castTo(name: string): Promise<string> {
    try {
      await named(name).cast('post', 'hi');
      return 'sent';
    } catch (err) {
      return (err as { code?: string }).code ?? String(err);
    }
  }

  /** The same proxy is kept between calls, so its cache is exercised. */
  private rooms = new Map<string, NamedProxy<Room>>();
  private room(name: string): NamedProxy<Room> {
    let r = this.rooms.get(name);
    if (r === undefined) {
      r = named(name, Room);
      this.rooms.set(name, r);
    }
    return r;
  }
}

/** A pool member: says who it is, blocks until a gate opens, counts notes, crashes on request. */
export class Member extends Actor {
  private notes = 0;

  constructor(private readonly label: string) {
    super();
  }

  /** `ref` is the member as the caller names it (ids are per node in a cluster; refs travel). */
  @handles('whoami') whoami(): { id: number; ref: ActorRef; thread: number; label: string } {
    return { id: this.self.id, ref: this.self, thread: this.self.thread, label: this.label };
  }

  /** Stays busy until `gate` is open (polls it), then answers its id. */
  @handles('block') async block(gate: ActorRef): Promise<number> {
    const g = this.runtime.proxy(gate, Gate);
    while (!(await g.isOpen())) await new Promise((r) => setTimeout(r, 5));
    return this.self.id;
  }

  @handles('note') note(): void {
    this.notes++;
  }

  @handles('notes') countNotes(): number {
    return this.notes;
  }

  @handles('crash') crash(): never {
    throw new Error(`member ${this.label} crashed`);
  }

  /** Never answers (for call timeouts). */
  @handles('hang') hang(): Promise<never> {
    return new Promise(() => {});
  }

  /** Named like a pool proxy's private state: still a typed method of the proxy. */
  @handles('next') next(): string {
    return `next of ${this.label}`;
  }
}

/** A flag other actors poll. */
export class Gate extends Actor {
  private opened = false;

  @handles('open') open(): void {
    this.opened = true;
  }

  @handles('isOpen') isOpen(): boolean {
    return this.opened;
  }
}

/** A functionActor, for pools of function actors. */
export const triple = functionActor(function triple(x: number): number {
  return 3 * x;
});
