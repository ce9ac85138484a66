/**
 * Finds the module that called into Parley, from V8's structured call sites (never by parsing
 * `err.stack`), and whether the call was made from the module's top level. Worker threads import that
 * module to find an actor's class or function.
 */

import { findSourceMap } from 'node:module';

/** @internal Where a class or functionActor was defined. */
export interface CallSiteInfo {
  /** file: URL of the module. */
  url: string;
  /** Defined by the module's top-level code (not inside a function), so it can be exported. */
  topLevel: boolean;
  /** Line in the (possibly transpiled) source, for messages (see `siteLine`). */
  line: number | null;
  /** Column in the (possibly transpiled) source, to find the line in the original source. */
  column?: number | null;
  /** The file name as V8 reported it (a path or a file: URL), to find its source map. */
  file?: string;
}

/**
 * @internal The line of the definition for messages: the original source's line when the module has a source
 * map Node knows (tsx's output, or compiled code run with --enable-source-maps), else the running code's.
 */
export function siteLine(site: CallSiteInfo): number | null {
  const { line, column, file } = site;
  if (line === null || file === undefined || column === undefined || column === null) return line;
  try {
    const entry = findSourceMap(file)?.findEntry(line - 1, column - 1) as
      | { originalLine?: unknown }
      | undefined;
    return typeof entry?.originalLine === 'number' ? entry.originalLine + 1 : line;
  } catch {
    return line;
  }
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
      const topLevel = isModuleCode(frames, i) || isClassAtTopLevel(frames, i);
      return { url, topLevel, line: f.getLineNumber(), column: f.getColumnNumber(), file };
    }
    return undefined;
  } finally {
    Error.prepareStackTrace = prev;
    Error.stackTraceLimit = prevLimit;
  }
}

type Frame = NodeJS.CallSite & { getEnclosingLineNumber?(): number; getEnclosingColumnNumber?(): number };

/**
 * Whether `frames[i]` runs its module's top-level code. Module code is enclosed by the module itself, which
 * starts at 1:1; a function starts elsewhere. Two loaders wrap a CommonJS module's code in a function of
 * their own, recognised by where exactly it starts:
 * - tsx compiles a CommonJS module to `__filename="<path>";(()=>{<code>})()`: the code is enclosed by the
 *   arrow function right after that banner, called from the module's own code (which starts at 1:1);
 * - Node's text wrapper `(function (exports, require, module, __filename, __dirname) { <code>` (used when a
 *   tool replaced `Module.wrap`) starts at 1:2, and is called by Node's CommonJS loader.
 * A function the program defines cannot start at either place, so real nested definitions stay refused.
 */
function isModuleCode(frames: NodeJS.CallSite[], i: number): boolean {
  const frame = frames[i] as Frame | undefined;
  if (frame === undefined || frame.getFunctionName() !== null) return false;
  const line = frame.getEnclosingLineNumber?.() ?? 1;
  const column = frame.getEnclosingColumnNumber?.() ?? 1;
  if (line !== 1) return false;
  if (column === 1) return true;
  const file = frame.getFileName();
  const caller = frames[i + 1] as Frame | undefined;
  if (file === undefined || file === null || caller === undefined) return false;
  if (column === 2) return caller.getFileName() === 'node:internal/modules/cjs/loader';
  return (
    column === tsxBannerLength(file) + 1 &&
    caller.getFileName() === file &&
    caller.getFunctionName() === null &&
    (caller.getEnclosingLineNumber?.() ?? 1) === 1 &&
    (caller.getEnclosingColumnNumber?.() ?? 1) === 1
  );
}

/** The length of tsx's CommonJS banner up to its wrapper arrow function: `__filename="<path>";(`. */
function tsxBannerLength(file: string): number {
  return '__filename='.length + JSON.stringify(file).length + ';('.length;
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
    isModuleCode(frames, j + 1)
  );
}

/** Parley's own sources (src/ or dist/, with their folders): this file is in its core/ folder. */
const parleyRoot = new URL('..', import.meta.url).href;

/** @internal Whether `url` is one of Parley's own modules. */
export function isParleySource(url: string): boolean {
  return url.startsWith(parleyRoot);
}
