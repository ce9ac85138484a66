/**
 * Type tests of casts, awaiting start and timers: compiled by `tsc` in `npm test` (never run). Each
 * `@ts-expect-error` fails the build if the line below it ever type-checks.
 */
import {
  Actor,
  type ActorTimers,
  handles,
  type Runtime,
  sendAfter,
  started,
  type TimerRef,
} from '../../src/index.js';

class Ticker extends Actor {
  @handles('tick')
  tick(): void {}

  override onStart(): void {
    const timers: ActorTimers = this.timers;
    timers.every('tick', 1000, 'tick');
    timers.once('late', 50, 'tick', 1, 'two');
    const stopped: boolean = timers.cancel('tick');
    const active: boolean = timers.isActive('late');
    void [stopped, active];
    // @ts-expect-error: ms is a number
    timers.once('k', '10', 'tick');
  }
}

export async function typeChecks(rt: Runtime): Promise<void> {
  const t = rt.spawn(Ticker);
  const nothing: void = t.ref.cast('tick', 1, 2);
  void nothing;
  // @ts-expect-error: a cast's tag is a string
  t.ref.cast(1);
  const done: void = await started(t);
  const done2: void = await rt.started(t.ref, { timeout: 100 });
  void [done, done2];
  // @ts-expect-error: started options have timeout only
  await started(t, { wait: 1 });
  const timer: TimerRef = sendAfter(100, t, 'tick');
  const wasPending: boolean = timer.cancel();
  const pending: boolean = rt.sendAfter(100, t.ref, 'tick', 1).pending;
  void [wasPending, pending];
  // @ts-expect-error: the timers of an actor are not a proxy method
  void t.timers;
  // @ts-expect-error: ms comes first
  sendAfter(t, 100, 'tick');
}
