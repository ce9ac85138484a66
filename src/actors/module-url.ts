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
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      const file = f.getFileName();
      if (file === undefined || file === null) continue;
      if (file.startsWith('node:') || file.includes('/node_modules/')) continue;
      if (/^__(decorate|esDecorate|runInitializers)/.test(f.getFunctionName() ?? '')) continue; // compiler helpers
      const url = file.startsWith('file:') ? file : `file://${file}`;
      if (isParleySource(url)) continue;
      const topLevel = isModuleCode(f) || isClassAtTopLevel(frames, i);
      return { url, topLevel, line: f.getLineNumber() };
    }
    return undefined;
  } finally {
    Error.prepareStackTrace = prev;
    Error.stackTraceLimit = prevLimit;
  }
}

type Frame = NodeJS.CallSite & { getEnclosingLineNumber?(): number; getEnclosingColumnNumber?(): number };

/** Module code is enclosed by the module itself, which starts at 1:1; a function starts elsewhere. */
function isModuleCode(f: NodeJS.CallSite): boolean {
  const frame = f as Frame;
  return (
    frame.getFunctionName() === null &&
    (frame.getEnclosingLineNumber?.() ?? 1) === 1 &&
    (frame.getEnclosingColumnNumber?.() ?? 1) === 1
  );
}

/**
 * A decorator written on a class that tsc compiled with TC39 standard decorators runs in the class's static
 * block, inside the function tsc wraps the class in (`let C = (() => { … return class C { static { … } } })()`):
 * the class is at its module's top level when that wrapper is called from module code.
 */
function isClassAtTopLevel(frames: NodeJS.CallSite[], i: number): boolean {
  let j = i;
  if (frames[j]?.getFunctionName() === '<static_initializer>') j++;
  const wrapper = frames[j];
  const outer = frames[j + 1];
  return (
    j > i &&
    wrapper !== undefined &&
    outer !== undefined &&
    wrapper.getFunctionName() === null &&
    wrapper.getFileName() === frames[i]!.getFileName() &&
    outer.getFileName() === frames[i]!.getFileName() &&
    isModuleCode(outer)
  );
}

/** Parley's own sources (src/ or dist/, with their folders): this file is in its core/ folder. */
const parleyRoot = new URL('..', import.meta.url).href;

function isParleySource(url: string): boolean {
  return url.startsWith(parleyRoot);
}
