/**
 * Finds the module that called into Parley, from V8's structured call sites (never by parsing
 * `err.stack`). Worker threads import that module to find an actor's class or function.
 */

/** @internal file: URL of the first caller outside Parley and node_modules, or undefined. */
export function callerModule(): string | undefined {
  const holder: { stack?: unknown } = {};
  const prev = Error.prepareStackTrace;
  const prevLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 20;
    Error.prepareStackTrace = (_e, frames) => frames;
    Error.captureStackTrace(holder, callerModule);
    const frames = holder.stack as NodeJS.CallSite[] | undefined;
    if (!Array.isArray(frames)) return undefined;
    for (const f of frames) {
      const file = f.getFileName();
      if (file === undefined || file === null) continue;
      if (file.startsWith('node:') || file.includes('/node_modules/')) continue;
      if (isParleySource(file)) continue;
      return file.startsWith('file:') ? file : `file://${file}`;
    }
    return undefined;
  } finally {
    Error.prepareStackTrace = prev;
    Error.stackTraceLimit = prevLimit;
  }
}

const srcDir = new URL('.', import.meta.url).href;

function isParleySource(file: string): boolean {
  const url = file.startsWith('file:') ? file : `file://${file}`;
  return url.startsWith(srcDir) && !url.slice(srcDir.length).includes('/');
}
