// API tokens: random 256-bit strings, so a plain SHA-256 is enough to store them (no slow hash needed,
// nothing to brute-force), and verifying one on every request costs nothing. Each has a label and a
// scope (scopes.ts says what each may do); a token stored before scopes existed is an admin token.
// Kept in the settings row `api_tokens` (a JSON list), which `rackcast token create` and `rackcast
// passwd` write too. The last use is written at most once a minute per token, so a panel polling every
// second does not rewrite the row every second.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { SettingsStore } from '../engine/db/settings-store.js';
import { parseUpdate, type Parsed } from '../engine/box/settings-parse.js';

export const API_TOKENS_KEY = 'api_tokens';
export const SCOPES = ['admin', 'control', 'metadata', 'read'] as const;
export type Scope = (typeof SCOPES)[number];
export const LAST_USED_WRITE_MS = 60_000;

interface StoredApiToken { id: string; label: string; scope?: Scope; sha256: string; created_at: string; last_used_at?: string | null }
export interface ApiTokenInfo { id: string; label: string; scope: Scope; created_at: string; last_used_at: string | null }

const CONTROL = /[\u0000-\u001f\u007f]/;

export const newTokenSchema = z.strictObject({
  label: z.string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be text') }).trim().min(1, 'is required').max(100, 'must be at most 100 characters').refine((s) => !CONTROL.test(s), 'must not contain control characters'),
  scope: z.enum(SCOPES, { error: `must be one of ${SCOPES.join(', ')}` }),
});

export type NewToken = z.output<typeof newTokenSchema>;

export function parseNewToken(input: unknown): Parsed<NewToken> {
  return parseUpdate(newTokenSchema, input, {} as NewToken, 'token fields (label, scope)');
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

function storedTokens(settings: SettingsStore): StoredApiToken[] {
  const v = settings.get<unknown>(API_TOKENS_KEY, []);
  if (!Array.isArray(v)) return [];
  return v.filter((t): t is StoredApiToken =>
    typeof t === 'object' && t !== null && typeof (t as StoredApiToken).sha256 === 'string' &&
    typeof (t as StoredApiToken).id === 'string');
}

const scopeOf = (t: StoredApiToken): Scope => (SCOPES.includes(t.scope as Scope) ? (t.scope as Scope) : 'admin');

/** Creates a token and returns it: this is the only time it exists in clear. */
export function createApiToken(settings: SettingsStore, label: string, scope: Scope = 'admin'): { id: string; token: string; label: string; scope: Scope; created_at: string } {
  const token = `rct_${randomBytes(32).toString('base64url')}`;
  const id = randomBytes(6).toString('hex');
  const entry: StoredApiToken = { id, label, scope, sha256: sha256(token).toString('hex'), created_at: new Date().toISOString(), last_used_at: null };
  settings.set(API_TOKENS_KEY, [...storedTokens(settings), entry]);
  return { id, token, label, scope, created_at: entry.created_at };
}

export function listApiTokens(settings: SettingsStore): ApiTokenInfo[] {
  return storedTokens(settings).map((t) => ({ id: t.id, label: t.label, scope: scopeOf(t), created_at: t.created_at, last_used_at: t.last_used_at ?? null }));
}

export function revokeApiToken(settings: SettingsStore, id: string): boolean {
  const tokens = storedTokens(settings);
  const kept = tokens.filter((t) => t.id !== id);
  if (kept.length !== tokens.length) settings.set(API_TOKENS_KEY, kept);
  return kept.length !== tokens.length;
}

/** The token's id and scope if it is one of ours; records its use. */
export function findApiToken(settings: SettingsStore, token: string, now: () => number = Date.now): { id: string; scope: Scope } | null {
  const h = sha256(token);
  const tokens = storedTokens(settings);
  let found: StoredApiToken | null = null;
  // Compare against every entry (no early exit) with a constant-time compare.
  for (const t of tokens) {
    const stored = Buffer.from(t.sha256, 'hex');
    if (stored.length === h.length && timingSafeEqual(stored, h)) found = t;
  }
  if (!found) return null;
  const last = found.last_used_at ? Date.parse(found.last_used_at) : 0;
  if (!(now() - last < LAST_USED_WRITE_MS)) {
    found.last_used_at = new Date(now()).toISOString();
    settings.set(API_TOKENS_KEY, tokens);
  }
  return { id: found.id, scope: scopeOf(found) };
}

export function verifyApiToken(settings: SettingsStore, token: string): boolean {
  return findApiToken(settings, token) !== null;
}
