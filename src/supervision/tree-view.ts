/**
 * The text view of live supervision trees (`runtime.tree()`): each supervisor with its strategy and
 * restarts in the current window, each child with its ref, state and restart count. It asks the
 * supervisors through their proxies, so it works wherever they run.
 */

import type { ActorRef } from '../core/ref.js';
import { allLive } from '../runtime/answers.js';
import type { Runtime } from '../runtime/runtime.js';

interface Kid {
  id: string;
  ref?: ActorRef;
  type: string;
  state: string;
  restarts: number;
}

/** @internal The roots are supervisors (on any thread) whose parent is not a supervisor. */
export async function renderTrees(rt: Runtime): Promise<string> {
  const lines: string[] = [];
  const all = await allLive(rt);
  const supervisors = new Set(all.filter((c) => c.supervisor).map((c) => c.ref.id));
  const roots = all
    .filter((c) => c.supervisor && !(c.parent !== undefined && supervisors.has(c.parent.id)))
    .sort((a, b) => a.born - b.born || a.ref.id - b.ref.id);
  for (const root of roots) await render(rt, root.ref, String(root.ref), '', lines);
  return lines.join('\n');
}

async function render(
  rt: Runtime,
  ref: ActorRef,
  head: string,
  indent: string,
  lines: string[],
): Promise<void> {
  const sup = rt.proxy(ref);
  let info: { strategy: string; intensity: number; period: number; recentRestarts: number };
  let kids: Kid[];
  try {
    info = await sup.call('supervisorInfo', [], undefined, { timeout: 2000 });
    kids = await sup.call('whichChildren', [], undefined, { timeout: 2000 });
  } catch (err) {
    lines.push(`${head} (no answer: ${err instanceof Error ? err.message : String(err)})`);
    return;
  }
  lines.push(
    `${head} ${info.strategy}, ${info.recentRestarts}/${info.intensity} restarts in ${info.period} ms`,
  );
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i]!;
    const last = i === kids.length - 1;
    const line = `${indent}${last ? '└─ ' : '├─ '}${k.id} ${k.ref ?? '-'} ${k.state}, restarts ${k.restarts}`;
    if (k.type === 'supervisor' && k.ref !== undefined) {
      await render(rt, k.ref, line, `${indent}${last ? '   ' : '│  '}`, lines);
    } else lines.push(line);
  }
}
