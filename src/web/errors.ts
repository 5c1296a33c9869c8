// Domain errors map to HTTP codes in this one place.
import type { NextFunction, Request, Response } from 'express';
import { EngineError } from '../engine/engine.js';

const STATUS: Record<EngineError['kind'], number> = { not_found: 404, invalid: 400, conflict: 409 };

export function errorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (err instanceof EngineError) {
    res.status(STATUS[err.kind]).json({ error: err.message, errors: err.errors.length ? err.errors : undefined, field: err.errors[0]?.field });
    return;
  }
  // Malformed JSON bodies arrive from express.json() as a SyntaxError with status 400.
  const status = typeof err === 'object' && err !== null && 'status' in err ? Number((err as { status: unknown }).status) : 500;
  if (status >= 400 && status < 500) {
    res.status(status).json({ error: status === 400 ? 'request body is not valid JSON' : String((err as Error).message) });
    return;
  }
  console.error(err);
  res.status(500).json({ error: 'internal error' });
}

/** Parses an :id route parameter, or answers 400 naming it. */
export function idParam(req: Request): number {
  const id = Number(req.params.id);
  if (!Number.isInteger(id) || id <= 0) throw new EngineError('invalid', 'id must be a positive integer', [{ field: 'id', message: 'must be a positive integer' }]);
  return id;
}
