// A partial settings update, the way every box-wide settings object takes one: the given keys merged
// over the stored object (read-only keys from a GET body ignored, so it can be sent back as it came),
// the whole validated by the object's schema, and the errors named by field.
import type { z } from 'zod';
import type { FieldError } from './stream/encoder-schema.js';

export type Patched<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function patchSettings<S extends z.ZodType>(
  schema: S,
  input: unknown,
  current: z.infer<S>,
  opts: { what: string; readOnly: readonly string[] },
): Patched<z.infer<S>> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, errors: [{ field: '', message: `must be an object with the ${opts.what}` }] };
  const given = Object.fromEntries(Object.entries(input).filter(([k]) => !opts.readOnly.includes(k)));
  const result = schema.safeParse({ ...(current as object), ...given });
  if (result.success) return { ok: true, value: result.data };
  const errors = new Map<string, string>();
  for (const iss of result.error.issues) {
    if (iss.code === 'unrecognized_keys') for (const key of iss.keys) errors.set(key, 'is not a known field');
    else {
      const field = iss.path.map(String).join('.');
      if (!errors.has(field)) errors.set(field, iss.message);
    }
  }
  return { ok: false, errors: [...errors].map(([field, message]) => ({ field, message })) };
}
