// Domain errors map to HTTP codes in this one place.
import type { NextFunction, Request, Response } from 'express';
import { EngineError } from '../engine/engine.js';

const STATUS: Record<EngineError['kind'], number> = { not_found: 404, invalid: 400, conflict: 409 };

export function errorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (err instanceof EngineError) {
    res.status(STATUS[err.kind]).json({ error: err.message, errors: err.errors.length ? err.errors : undefined, field: err.errors[0]?.field });
    return;
  }
  // The body parsers' errors (malformed JSON, a bare `true` or `42` that the strict JSON parser refuses,
  // too large, unsupported charset) carry a 4xx status. They are about the body as a whole: field ''.
  const status = typeof err === 'object' && err !== null && 'status' in err ? Number((err as { status: unknown }).status) : 500;
  if (status >= 400 && status < 500) {
    const message = status === 400 ? (bareJsonValue(err as object) ? 'request body must be a JSON object' : 'request body is not valid JSON') : String((err as Error).message);
    res.status(status).json({ error: message, field: '' });
    return;
  }
  console.error(err);
  res.status(500).json({ error: 'internal error' });
}

/** A body like `true`, `42` or `"text"`: valid JSON, refused by express.json's strict mode. */
function bareJsonValue(err: object): boolean {
  const body = 'body' in err && typeof err.body === 'string' ? err.body.trim() : '';
  if (body === '' || body.startsWith('{') || body.startsWith('[')) return false;
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

// Canonical decimal only: `1e0`, `0x1`, ` 1`, `01`, `1.0` and `+1` all read as 1 with Number(), and an id
// that more than one spelling can reach is an id a proxy rule, a log search or an audit can miss.
const CANONICAL_ID = /^[1-9][0-9]{0,15}$/;

/** The id a route parameter names, or null unless it is a positive integer in canonical decimal. */
export function parseId(text: unknown): number | null {
  if (typeof text !== 'string' || !CANONICAL_ID.test(text)) return null;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : null;
}

/** Parses an :id route parameter, or answers 400 naming it. */
export function idParam(req: Request): number {
  const id = parseId(req.params.id);
  if (id === null) {
    const message = 'must be a positive integer in plain decimal, like 12 (no sign, leading zeros, spaces, exponent or hex)';
    throw new EngineError('invalid', `id ${message}`, [{ field: 'id', message }]);
  }
  return id;
}
