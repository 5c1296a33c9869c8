// The one way a box setting object is read and written: a zod object schema gives the types, the
// defaults (a stored row missing a field, or holding one that no longer validates, gets the default
// for that field only) and the errors, one per field, each naming it, as the API returns them and the
// page shows them beside the field. Encoders (stream/encoder-schema.ts) follow the same conventions.
import type { z } from 'zod';
import { patchSettings } from '../settings-patch.js';

export interface FieldError {
  /** The API key at fault; '' means the input as a whole. */
  field: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** zod's issues as one error per field (the first found), unknown keys each named. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], what: string): FieldError[] {
  const out = new Map<string, string>();
  const add = (field: string, message: string): void => {
    if (!out.has(field)) out.set(field, message);
  };
  for (const iss of issues) {
    if (iss.code === 'unrecognized_keys') for (const key of iss.keys) add(key, 'is not a known field');
    else if (iss.path.length === 0) add('', `must be an object with the ${what}`);
    else add(iss.path.map(String).join('.'), iss.message);
  }
  return [...out].map(([field, message]) => ({ field, message }));
}

/**
 * Validates a partial update merged over `current` (PUT semantics: absent keys keep their value).
 * `readOnly` keys (what GET adds, such as a status) are dropped so a GET body can be sent back.
 * The one merge-and-validate of the box's settings objects (settings-patch.ts).
 */
export function parseUpdate<S extends z.ZodType>(schema: S, input: unknown, current: z.output<S>, what: string, readOnly: readonly string[] = []): Parsed<z.output<S>> {
  return patchSettings(schema, input, current, { what, readOnly });
}

/** A stored row: each field that is missing or no longer valid takes its default; the others are kept. */
export function parseStored<S extends z.ZodType>(schema: S, raw: unknown, defaults: z.output<S>): z.output<S> {
  if (!isRecord(raw)) return defaults;
  const first = schema.safeParse({ ...(defaults as object), ...raw });
  if (first.success) return first.data;
  const bad = new Set(first.error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : [String(i.path[0] ?? '')])));
  const kept = Object.fromEntries(Object.entries(raw).filter(([k]) => !bad.has(k)));
  const second = schema.safeParse({ ...(defaults as object), ...kept });
  return second.success ? second.data : defaults;
}
