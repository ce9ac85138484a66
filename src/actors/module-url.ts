/**
 * Finds the module that called into Parley, from V8's structured call sites (never by parsing
 * `err.stack`), and whether the call was made from the module's top level. Worker threads import that
 * module to find an actor's class or function.
 */

/** @internal Where a class or functionActor was defined. */
export interface CallSiteInfo {
  /** file: URL of the module. */
  url: string;
  /** Defined by the module's top-level code (not inside a function), so it can be exported. */
  topLevel: boolean;
  /** Line in the (possibly transpiled) source, for messages. */
  line: number | null;
}

/** @internal The first caller outside Parley and node_modules, or undefined. */
export function callerSite(): CallSiteInfo | undefined {
  const holder: { stack?: unknown } = {};
  const prev = Error.prepareStackTrace;
  const prevLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 20;
    Error.prepareStackTrace = (_e, frames) => frames;
    Error.captureStackTrace(holder, callerSite);
    const frames = holder.stack as NodeJS.CallSite[] | undefined;
    if (!Array.isArray(frames)) return undefined;
    for (const f of frames) {
      const file = f.getFileName();
      if (file === undefined || file === null) continue;
      if (file.startsWith('node:') || file.includes('/node_modules/')) continue;
      if (/^__(decorate|esDecorate|runInitializers)/.test(f.getFunctionName() ?? '')) continue; // compiler helpers
      const url = file.startsWith('file:') ? file : `file://${file}`;
      if (isParleySource(url)) continue;
      // Module code is enclosed by the module itself, which starts at 1:1; a function starts elsewhere.
      const frame = f as NodeJS.CallSite & {
        getEnclosingLineNumber?(): number;
        getEnclosingColumnNumber?(): number;
      };
      const topLevel =
        f.getFunctionName() === null &&
        (frame.getEnclosingLineNumber?.() ?? 1) === 1 &&
        (frame.getEnclosingColumnNumber?.() ?? 1) === 1;
      return { url, topLevel, line: f.getLineNumber() };
    }
    return undefined;
  } finally {
    Error.prepareStackTrace = prev;
    Error.stackTraceLimit = prevLimit;
  }
}

/** Parley's own sources (src/ or dist/, with their folders): this file is in its core/ folder. */
const parleyRoot = new URL('..', import.meta.url).href;

function isParleySource(url: string): boolean {
  return url.startsWith(parleyRoot);
}
