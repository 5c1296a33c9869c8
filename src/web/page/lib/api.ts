// The page's HTTP client. Every request carries X-Requested-With, so a 401 never makes the browser pop up
// its Basic login dialog (src/web/auth.ts), and the session cookie rides along (same origin, SameSite=Strict).
import type { FieldError } from './types.js';

export const REQUESTED_WITH = { 'X-Requested-With': 'rackcast' } as const;

/** A failed request: the HTTP status (0: the engine could not be reached) and the API's own words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: FieldError[] = [],
    readonly body: unknown = null,
  ) {
    super(message);
  }

  get unreachable(): boolean {
    return this.status === 0;
  }
}

/** Called on every 401, so the app can show the sign-in form (session expired, engine restarted). */
let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(fn: (() => void) | null): void {
  onUnauthorized = fn;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The API's error body ({error, field, errors}) as an ApiError. */
export function errorFrom(status: number, body: unknown): ApiError {
  if (!isRecord(body)) return new ApiError(status, `HTTP ${status}`);
  const message = typeof body.error === 'string' ? body.error : `HTTP ${status}`;
  const errors: FieldError[] = Array.isArray(body.errors)
    ? body.errors.filter(isRecord).map((e) => ({ field: String(e.field ?? ''), message: String(e.message ?? '') }))
    : typeof body.field === 'string'
      ? [{ field: body.field, message }]
      : [];
  return new ApiError(status, message, errors, body);
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { ...REQUESTED_WITH, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'the engine cannot be reached');
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!res.ok) {
    if (res.status === 401 && path !== '/api/session') onUnauthorized?.();
    throw errorFrom(res.status, parsed);
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string): Promise<T> => request<T>('GET', path),
  post: <T>(path: string, body?: unknown): Promise<T> => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body: unknown): Promise<T> => request<T>('PUT', path, body),
  del: <T>(path: string): Promise<T> => request<T>('DELETE', path),
};
