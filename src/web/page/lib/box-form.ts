// What the box views share: the API's field errors as a map for the Field component, and the words for
// anything else that went wrong. Pure.
import { ApiError } from './api.js';

export function errorsByField(err: unknown): Record<string, string> {
  return err instanceof ApiError ? Object.fromEntries(err.errors.filter((e) => e.field !== '').map((e) => [e.field, e.message])) : {};
}

export function failureText(err: unknown): string {
  if (!(err instanceof ApiError)) return String(err);
  if (err.errors.some((e) => e.field !== '')) return 'Not saved: see the fields marked in red.';
  return err.message.charAt(0).toUpperCase() + err.message.slice(1);
}

/** A number typed in a text input, or the text itself so the engine's schema names what is wrong. */
export function numberOr(text: string): number | string {
  const t = text.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}
