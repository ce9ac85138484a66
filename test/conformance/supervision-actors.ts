/** Actors for the supervision conformance tests (top level of an importable module, for every controller). */
import {
  Actor,
  type ActorRef,
  actor,
  type ChildSpec,
  type ExitReason,
  handles,
  recv,
  Supervisor,
  send,
  trapExit,
} from '../../src/index.js';
import { stamp } from './actors.js';

/** A worker that notes its start and stop to a log actor, and crashes or stops on request. */
export class Worker extends Actor {
  constructor(
    private readonly label: string,
    private readonly log?: ActorRef,
  ) {
    super();
  }

  override onStart(): void {
    if (this.log !== undefined) send(this.log, 'note', `start ${this.label}`, stamp());
  }

  override onStop(reason: ExitReason): void {
    if (this.log !== undefined) send(this.log, 'note', `stop ${this.label} ${reasonText(reason)}`, stamp());
  }

  @handles('label') getLabel(): string {
    return this.label;
  }

  @handles('crash') crash(): never {
    throw new Error(`${this.label} crashed`);
  }

  /** Ends with `reason` (not an error): 'normal', 'shutdown', { shutdown: detail }… */
  @handles('quit') quit(reason: ExitReason): void {
    this.stop(reason);
  }
}

function reasonText(reason: ExitReason): string {
  return reason instanceof Error ? 'error' : typeof reason === 'string' ? reason : JSON.stringify(reason);
}

/** Traps exits and ignores them: only a kill stops it. */
export class Stubborn extends Actor {
  override onStart(): void {
    trapExit(true);
  }
  @handles('EXIT') ignore(): void {}
  @handles('ping') ping(): string {
    return 'pong';
  }
}

/** Answers whether the next start should fail; a child asks it from onStart. */
export class StartSwitch extends Actor {
  private failing = false;
  @handles('set') set(on: boolean): void {
    this.failing = on;
  }
  @handles('failing') isFailing(): boolean {
    return this.failing;
  }
}

/** Fails in onStart while the switch is on. */
export class Switched extends Actor {
  constructor(private readonly sw: ActorRef) {
    super();
  }
  override async onStart(): Promise<void> {
    if (await this.runtime.proxy(this.sw).call('failing')) throw new Error('start refused');
  }
  @handles('ping') ping(): string {
    return 'pong';
  }
  @handles('crash') crash(): never {
    throw new Error('switched crashed');
  }
}

/** A function child that waits until told to stop. */
export async function waiter(): Promise<void> {
  await recv('stop');
}

/** A supervisor configured by subclassing: statics and a children() method. */
@actor()
export class RestForOneApp extends Supervisor {
  static override strategy = 'rest_for_one' as const;
  static override intensity = 4;
  static override period = 2000;

  constructor(private readonly log?: ActorRef) {
    super();
  }

  protected override children(): ChildSpec[] {
    return [
      { id: 'first', actor: Worker, args: ['first', this.log] },
      { id: 'second', actor: Worker, args: ['second', this.log] },
    ];
  }
}
