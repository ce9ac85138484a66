/**
 * Supervisor options and child specs: their types, defaults and validation. Everything is checked before
 * anything starts; a bad spec throws ChildSpecError naming the field and the child.
 */
import { isForeignClass, isSupervisorClass } from '../actors/actor.js';
import { FunctionActor } from '../actors/function-actor.js';
import { ChildSpecError, describeReason } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ActorRef } from '../core/ref.js';
import { describeType, MAX_TIMEOUT_MS, timeoutProblem } from '../core/validate.js';
import { checkTarget } from '../runtime/options.js';
import type { SpawnArgs, SpawnTarget } from '../runtime/runtime.js';

/** How a supervisor reacts when a child it restarts exits. */
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';
/** When a child is restarted: always, only after a crash, or never. */
export type RestartType = 'permanent' | 'transient' | 'temporary';
/**
 * How a child is stopped: exit 'shutdown' then kill after N ms (0 to 2^31−1), kill at once, or wait as long
 * as it takes (`'infinity'`, or `Infinity`: the same, OTP's `infinity`).
 */
export type Shutdown = number | 'brutal_kill' | 'infinity';

/**
 * One child of a supervisor. `ChildSpec<typeof Account>` checks `args` against Account's constructor; the
 * plain `ChildSpec` takes any args (checked when the child starts). {@link childSpec} builds a checked one.
 */
export interface ChildSpec<T extends SpawnTarget = SpawnTarget> {
  /** Unique among the supervisor's children. */
  id: string;
  /** What to spawn: an Actor subclass (a Supervisor too), a function actor, or a functionActor. */
  actor: T;
  /** Passed to the constructor or function. */
  args?: SpawnArgs<T>;
  /** Default 'permanent'. */
  restart?: RestartType;
  /** Default 5000 ms for workers, 'infinity' for supervisors; `Infinity` is the same as 'infinity'. */
  shutdown?: Shutdown;
  /** Registers the child under this name; after a restart the name points at the new instance. */
  name?: string;
  /**
   * In a cluster: the node the child runs on, or a list of nodes in order of preference: each start
   * (and restart) goes to the first of them that is up, so a child whose node is lost is restarted on
   * the next one (see README, "Clusters"). Default: this node, by the runtime's placement.
   */
  node?: string | readonly string[];
}

/**
 * The fields `childSpec(actor, fields)` takes: a ChildSpec without `actor`, `id` optional (default: the
 * actor's name), and `args` required when the actor's constructor or function needs arguments.
 */
export type ChildSpecFields<T extends SpawnTarget> = Omit<ChildSpec<T>, 'id' | 'actor' | 'args'> & {
  /** Unique among the supervisor's children (default: the actor's class or function name). */
  id?: string;
} & ([] extends SpawnArgs<T>
    ? {
        /** Passed to the constructor or function. */
        args?: SpawnArgs<T>;
      }
    : {
        /** Passed to the constructor or function (required: it takes arguments). */
        args: SpawnArgs<T>;
      });

/**
 * A child spec whose `args` are type-checked against the actor's constructor (or function) parameters,
 * and which is validated at once (ChildSpecError here, not when the supervisor starts):
 *
 * ```ts
 * spawn(Supervisor, { children: [childSpec(Account, { id: 'acct', args: [100], restart: 'transient' })] });
 * ```
 *
 * `fields` may be left out when the actor takes no arguments; `id` defaults to the actor's name.
 */
export function childSpec<T extends SpawnTarget>(
  actor: T,
  ...fields: [] extends SpawnArgs<T> ? [fields?: ChildSpecFields<T>] : [fields: ChildSpecFields<T>]
): ChildSpec<T> {
  const given: unknown = fields[0];
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
    fail(
      'childSpec(actor, fields): fields',
      'must be an object { id?, args?, restart?, shutdown?, name? }',
      given,
    );
  }
  const rest = (given ?? {}) as Partial<ChildSpec>;
  if ('actor' in rest) {
    fail(
      'childSpec(actor, fields): fields.actor',
      'is not allowed: the actor is the first argument',
      rest.actor,
    );
  }
  if (!(actor instanceof FunctionActor) && typeof actor !== 'function') {
    fail(
      'childSpec(actor, fields): actor',
      'must be an Actor subclass, a function or functionActor(fn)',
      actor,
    );
  }
  const name: string = actor.name;
  const id = rest.id ?? (name !== '' ? name : undefined);
  if (id === undefined) {
    fail('childSpec(actor, fields): fields.id', 'is required: the actor has no name to default to', id);
  }
  const spec = { ...rest, id, actor } as ChildSpec<T>;
  normalizeSpec(spec as ChildSpec, undefined, () => false);
  return spec;
}

/** Options of `spawn(Supervisor, options)`. */
export interface SupervisorOptions {
  /** Default 'one_for_one'. */
  strategy?: Strategy;
  /** Most restarts allowed within `period` (default 1); one more and the supervisor gives up. */
  intensity?: number;
  /**
   * The sliding window for `intensity`, in ms (default 5000): more than 0, at most 2^31−1, or `Infinity`
   * (every restart counts for ever).
   */
  period?: number;
  /** Started in order, stopped in reverse. */
  children?: ChildSpec[];
}

/** @internal A validated child spec with its defaults filled in. */
export interface NormalSpec {
  id: string;
  actor: SpawnTarget;
  args: unknown[];
  restart: RestartType;
  /** `Infinity` given in the spec is 'infinity' here. */
  shutdown: number | 'brutal_kill' | 'infinity';
  name: string | undefined;
  /** Nodes in order of preference (undefined: this node). */
  node: readonly string[] | undefined;
  isSupervisor: boolean;
}

const STRATEGIES = ['one_for_one', 'one_for_all', 'rest_for_one'];
const RESTARTS = ['permanent', 'transient', 'temporary'];
const SPEC_KEYS = new Set(['id', 'actor', 'args', 'restart', 'shutdown', 'name', 'node']);
const OPTION_KEYS = new Set(['strategy', 'intensity', 'period', 'children']);

function fail(where: string, what: string, value: unknown): never {
  let shown: string;
  try {
    shown = typeof value === 'function' ? `function ${value.name}` : (JSON.stringify(value) ?? String(value));
  } catch {
    shown = String(value);
  }
  throw new ChildSpecError(`${where} ${what} (got ${shown})`);
}

/** @internal Validates supervisor options (not the children). */
export function checkOptions(options: SupervisorOptions): void {
  if (typeof options !== 'object' || options === null)
    fail('Supervisor options', 'must be an object', options);
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key))
      fail(`Supervisor options.${key}`, `is not an option (known: ${[...OPTION_KEYS].join(', ')})`, key);
  }
}

/** @internal Validates the resolved strategy/intensity/period. */
export function checkLimits(strategy: unknown, intensity: unknown, period: unknown): void {
  if (!STRATEGIES.includes(strategy as string))
    fail('Supervisor strategy', `must be one of ${STRATEGIES.join(', ')}`, strategy);
  if (!Number.isInteger(intensity) || (intensity as number) < 0) {
    fail('Supervisor intensity', 'must be a whole number >= 0', intensity);
  }
  // A window, not a timer, but a number of ms all the same: the timeout rules (validate.ts), and more than 0.
  if (typeof period === 'number' && period <= 0) {
    throw new ChildSpecError(
      `Supervisor period must be more than 0 ms (got ${period}): it is the window in which more than ` +
        '`intensity` restarts make the supervisor give up; use Infinity to count every restart for ever',
    );
  }
  const problem = timeoutProblem(period);
  if (problem !== undefined) throw new ChildSpecError(`Supervisor period ${problem}`);
}

/** @internal Validates one child spec; `index` locates it in error messages. */
export function normalizeSpec(
  spec: ChildSpec,
  index: number | undefined,
  taken: (id: string) => boolean,
): NormalSpec {
  const at = index === undefined ? 'child spec' : `children[${index}]`;
  if (typeof spec !== 'object' || spec === null)
    fail(at, 'must be an object { id, actor, args?, restart?, shutdown?, name?, node? }', spec);
  const who = typeof spec.id === 'string' ? `${at} ('${spec.id}')` : at;
  for (const key of Object.keys(spec)) {
    if (!SPEC_KEYS.has(key))
      fail(`${who}.${key}`, `is not a child spec field (known: ${[...SPEC_KEYS].join(', ')})`, key);
  }
  if (typeof spec.id !== 'string' || spec.id.length === 0)
    fail(`${at}.id`, 'must be a non-empty string', spec.id);
  if (taken(spec.id)) fail(`${who}.id`, 'is already used by another child of this supervisor', spec.id);
  const actor = spec.actor;
  const spawnable = actor instanceof FunctionActor || (typeof actor === 'function' && !isForeignClass(actor));
  if (!spawnable) fail(`${who}.actor`, 'must be an Actor subclass, a function or functionActor(fn)', actor);
  try {
    checkTarget(actor); // what spawn would refuse: Actor itself, built-ins, bound functions, generators…
  } catch (err) {
    throw new ChildSpecError(`${who}.actor: ${(err as Error).message}`, { cause: err });
  }
  if (spec.args !== undefined && !Array.isArray(spec.args))
    fail(`${who}.args`, 'must be an array', spec.args);
  if (spec.restart !== undefined && !RESTARTS.includes(spec.restart)) {
    fail(`${who}.restart`, `must be one of ${RESTARTS.join(', ')}`, spec.restart);
  }
  const sh = checkShutdown(spec.shutdown, who);
  if (spec.name !== undefined && (typeof spec.name !== 'string' || spec.name.length === 0)) {
    fail(`${who}.name`, 'must be a non-empty string', spec.name);
  }
  const node = spec.node;
  if (
    node !== undefined &&
    !(typeof node === 'string' && node !== '') &&
    !(Array.isArray(node) && node.length > 0 && node.every((n) => typeof n === 'string' && n !== ''))
  ) {
    fail(
      `${who}.node`,
      "must be a node's name or a non-empty array of node names, in order of preference",
      node,
    );
  }
  const isSupervisor = isSupervisorClass(actor);
  return {
    id: spec.id,
    actor,
    args: spec.args ?? [],
    restart: spec.restart ?? 'permanent',
    shutdown: sh ?? (isSupervisor ? 'infinity' : 5000),
    name: spec.name,
    node: node === undefined ? undefined : typeof node === 'string' ? [node] : [...node],
    isSupervisor,
  };
}

/**
 * A child's `shutdown`: 'brutal_kill', 'infinity' (or `Infinity`, the same), or a timeout in ms by the
 * shared timeout rules (validate.ts: 0 to 2^31−1; numeric strings, NaN and negatives refused).
 */
function checkShutdown(sh: unknown, who: string): NormalSpec['shutdown'] | undefined {
  if (sh === undefined || sh === 'brutal_kill' || sh === 'infinity') return sh;
  if (typeof sh !== 'number') {
    throw new ChildSpecError(
      `${who}.shutdown must be a number of ms (0 to ${MAX_TIMEOUT_MS}), 'brutal_kill', or 'infinity' ` +
        `(or Infinity) to wait as long as it takes (got ${describeType(sh)})`,
    );
  }
  const problem = timeoutProblem(sh);
  if (problem !== undefined) throw new ChildSpecError(`${who}.shutdown ${problem}`);
  return sh === Number.POSITIVE_INFINITY ? 'infinity' : sh;
}

/** @internal Validates a list of child specs (ids unique); returns them normalized, in order. */
export function normalizeAll(specs: unknown): NormalSpec[] {
  if (!Array.isArray(specs)) fail('Supervisor children', 'must be an array of child specs', specs);
  const seen = new Set<string>();
  return specs.map((spec: ChildSpec, i) => {
    const n = normalizeSpec(spec, i, (id) => seen.has(id));
    seen.add(n.id);
    return n;
  });
}

/** What `whichChildren()` says of one child. */
export interface ChildInfo {
  /** The child's id from its spec. */
  id: string;
  /** The running instance, or undefined when it is stopped or waiting for a restart. */
  ref: ActorRef | undefined;
  /** `'supervisor'` for a Supervisor (or subclass), else `'worker'`. */
  type: 'worker' | 'supervisor';
  /** The child's restart type from its spec (default `'permanent'`). */
  restart: RestartType;
  /**
   * `'running'`; `'restarting'`: its starts failed and the supervisor retries them; `'stopped'`: terminated
   * (or a transient child that ended cleanly), its spec kept.
   */
  state: 'running' | 'restarting' | 'stopped';
  /** How many times this child has been restarted. */
  restarts: number;
}

/** What `countChildren()` returns. */
export interface ChildCounts {
  /** Every child spec the supervisor has, running or not. */
  specs: number;
  /** Children running now (not stopped, not in their restart loop). */
  active: number;
  /** Children that are supervisors. */
  supervisors: number;
  /** Children that are workers (not supervisors). */
  workers: number;
}

/** @internal A supervisor's record of one child. */
export interface ChildRecord {
  spec: NormalSpec;
  ref: ActorRef | undefined;
  restarting: boolean;
  restarts: number;
}

/** @internal The restart times still inside the sliding window ending `now`. */
export function inWindow(times: number[], now: number, period: number): number[] {
  return times.filter((t) => now - t < period);
}

/** @internal A supervisor report, in one shape, to the logger and the recording. */
export function reportChild(
  rt: { logger: Logger; recordReport(fields: Record<string, unknown>): void },
  supervisor: ActorRef,
  level: 'warn' | 'error',
  action: string,
  child: string,
  reason: unknown,
  done: string,
): void {
  const fields = { supervisor, child, action, reason, done };
  rt.logger[level](
    `supervisor ${supervisor}: child '${child}' ${action} (reason: ${describeReason(reason)}); ${done}`,
    { ...fields, error: reason instanceof Error ? reason : undefined },
  );
  rt.recordReport(fields);
}
