/**
 * Parley: actors for TypeScript on Node.js. Every public name is exported here; everything else is
 * internal (the package `exports` map hides it).
 */
import './cluster/node.js';

export { Actor } from './actors/actor.js';
export { FunctionActor, functionActor } from './actors/function-actor.js';
export { type ActorDecorator, actor, type HandlesDecorator, handles } from './actors/handles.js';
export { ActorProxy, type CallOptions, type ProxyMethods } from './actors/proxy.js';
export { ActorTimers, type TimerRef } from './actors/timers.js';
export {
  type ActorLike,
  connectNode,
  demonitor,
  demonitorNode,
  exit,
  getDefaultRuntime,
  link,
  me,
  monitor,
  monitorNode,
  named,
  nodes,
  pool,
  type RecvOptions,
  recv,
  register,
  send,
  sendAfter,
  spawn,
  spawnLink,
  spawnMonitor,
  spawnWith,
  started,
  startTaskletController,
  startThreadController,
  trapExit,
  unlink,
  unregister,
  whereis,
} from './api.js';
export type { ClusterOptions } from './cluster/options.js';
export type { Controller } from './controllers/controller.js';
export { TaskletController, type TaskletControllerOptions } from './controllers/tasklet.js';
export { ThreadController, type ThreadControllerOptions } from './controllers/thread.js';
export type { Clock } from './core/clock.js';
export {
  ActorExitedError,
  BadReplyError,
  CallTimeoutError,
  ChildPresentError,
  ChildRestartingError,
  ChildRunningError,
  ChildSpecError,
  ChildStartError,
  DecoratorError,
  InvalidArgumentError,
  InvalidOptionError,
  MessageTooLargeError,
  NameNotBoundError,
  NameTakenError,
  NoCurrentActorError,
  NoRuntimeError,
  NoSuchActorError,
  NoSuchChildError,
  NoSuchNodeError,
  NotAnActorError,
  NotCloneableError,
  NotImportableError,
  ParleyError,
  ReceiveTimeoutError,
  RuntimeRunningError,
  RuntimeStoppedError,
  UnknownTagError,
  WrongActorClassError,
} from './core/errors.js';
export { consoleLogger, type Logger, silentLogger } from './core/logger.js';
export { type ExitReason, type Kwargs, type Message, NO_KWARGS } from './core/message.js';
export { ActorRef, type Address, ReplyRef } from './core/ref.js';
export type { RecordEvent, RecordOption } from './record/recorder.js';
export type { MonitorRef } from './router/signal.js';
export { type PoolOptions, PoolProxy, type PoolStrategy } from './routing/pool.js';
export { NamedProxy } from './runtime/named.js';
export {
  Runtime,
  type RuntimeOptions,
  type SpawnArgs,
  type SpawnedOf,
  type SpawnFn,
  type SpawnOptions,
  type SpawnTarget,
} from './runtime/runtime.js';
export type { StartedOptions } from './runtime/started.js';
export {
  type ChildSpec,
  type ChildSpecFields,
  childSpec,
  type RestartType,
  type Shutdown,
  type Strategy,
  type SupervisorOptions,
} from './supervision/child-spec.js';
export {
  type ChildCounts,
  type ChildInfo,
  Supervisor,
} from './supervision/supervisor.js';
