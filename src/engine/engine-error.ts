// The engine's domain errors: the HTTP layer maps each kind to a status code in one place (src/web/errors.ts).

export interface FieldError {
  field: string;
  message: string;
}

/** A domain error the HTTP layer maps to a status code in one place. */
export class EngineError extends Error {
  constructor(
    readonly kind: 'not_found' | 'invalid' | 'conflict',
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}
