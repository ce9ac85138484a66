/**
 * Parley: actors for TypeScript on Node.js. Every public name is exported here; everything else is
 * internal (the package `exports` map hides it).
 */
export { Actor } from './actors/actor.js';
export { FunctionActor, functionActor } from './actors/function-actor.js';
export { actor, handles } from './actors/handles.js';
export { ActorProxy, type CallOptions, type ProxyMethods } from './actors/proxy.js';
export {
  type ActorLike,
  demonitor,
  exit,
  getDefaultRuntime,
  link,
  me,
  monitor,
  named,
  pool,
  type RecvOptions,
  recv,
  register,
  send,
  spawn,
  spawnLink,
  spawnMonitor,
  spawnWith,
  startTaskletController,
  startThreadController,
  trapExit,
  unlink,
  unregister,
  whereis,
} from './api.js';
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
  NameNotBoundError,
  NameTakenError,
  NoCurrentActorError,
  NoRuntimeError,
  NoSuchActorError,
  NoSuchChildError,
  NotAnActorError,
  NotCloneableError,
  NotImportableError,
  ParleyError,
  ReceiveTimeoutError,
  RuntimeRunningError,
  RuntimeStoppedError,
  UnknownTagError,
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
  type SpawnFn,
  type SpawnOptions,
  type SpawnTarget,
} from './runtime/runtime.js';
export type {
  ChildSpec,
  RestartType,
  Shutdown,
  Strategy,
  SupervisorOptions,
} from './supervision/child-spec.js';
export {
  type ChildCounts,
  type ChildInfo,
  Supervisor,
} from './supervision/supervisor.js';
