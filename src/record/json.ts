/**
 * JSON for recordings: any message value becomes a JSON line, whatever it holds (refs as
 * `{actor, name, thread}`, errors with name/message/stack, bigints as strings, cycles marked).
 */

/** @internal Stringifies `value` without ever throwing. */
export function safeJson(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, function replacer(_key, v: unknown) {
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'function') return `[Function ${v.name || 'anonymous'}]`;
    if (typeof v === 'symbol') return v.toString();
    if (v === undefined) return null;
    if (v instanceof Error) {
      return { error: v.name, message: v.message, code: (v as { code?: unknown }).code, stack: v.stack };
    }
    if (v instanceof Map) return { map: [...v.entries()] };
    if (v instanceof Set) return { set: [...v.values()] };
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[Circular]';
      seen.add(v);
    }
    return v;
  });
}
