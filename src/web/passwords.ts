// The admin password: hashed with scrypt, so a copied settings table does not give it away cheaply, and
// set on first start from the environment (or later by `rackcast passwd` and PUT /api/access/password).
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { SettingsStore } from '../engine/db/settings-store.js';

export const ADMIN_HASH_KEY = 'admin_password_hash';
export const LOCKED_HINT = 'no admin password is set; run `sudo rackcast passwd` on the box (or start the engine once with --admin-password or RACKCAST_ADMIN_PASSWORD)';

const SCRYPT = { N: 16384, r: 8, p: 1, keyLen: 32, saltLen: 16 } as const;

// The async scrypt runs on the libuv thread pool: the capture loop shares this process and must never
// wait ~100 ms for a password check.
function scryptAsync(password: string, salt: Buffer, keyLen: number, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLen, { N, r, p, maxmem: 256 * N * r }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a password as `scrypt$N$r$p$salt$hash` (salt and hash base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SCRYPT.saltLen);
  const key = await scryptAsync(password, salt, SCRYPT.keyLen, SCRYPT.N, SCRYPT.r, SCRYPT.p);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** True if `candidate` matches a hash made by hashPassword. A malformed stored value never matches. */
export async function verifyPassword(stored: string, candidate: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  // Bounds keep a corrupted setting from asking scrypt for gigabytes of memory.
  const sane = Number.isInteger(N) && N >= 2 && N <= 2 ** 20 && (N & (N - 1)) === 0 &&
    Number.isInteger(r) && r >= 1 && r <= 32 && Number.isInteger(p) && p >= 1 && p <= 16;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  if (!sane || salt.length === 0 || expected.length < 16) return false;
  const actual = await scryptAsync(candidate, salt, expected.length, N, r, p);
  return timingSafeEqual(actual, expected);
}

export interface AdminPasswordStatus {
  /** True when no admin password exists: nothing but API tokens can get in until one is set. */
  locked: boolean;
  /** True when this call stored the password from the environment (first start). */
  setNow: boolean;
  /** One line for the startup log. */
  message: string;
}

export function storedAdminHash(settings: SettingsStore): string | null {
  const v = settings.get<unknown>(ADMIN_HASH_KEY, null);
  return typeof v === 'string' && v !== '' ? v : null;
}

export async function setAdminPassword(settings: SettingsStore, password: string): Promise<void> {
  settings.set(ADMIN_HASH_KEY, await hashPassword(password));
}

/**
 * At startup: the environment's RACKCAST_ADMIN_PASSWORD sets the admin password only when none is stored
 * yet, so a password changed later on the box is not reset by the unit file on the next reboot.
 */
export async function ensureAdminPassword(settings: SettingsStore, passwordFromEnv?: string): Promise<AdminPasswordStatus> {
  if (storedAdminHash(settings)) {
    return { locked: false, setNow: false, message: 'admin password is set' };
  }
  if (passwordFromEnv) {
    await setAdminPassword(settings, passwordFromEnv);
    return { locked: false, setNow: true, message: 'admin password set from RACKCAST_ADMIN_PASSWORD' };
  }
  return { locked: true, setNow: false, message: `the API is locked: ${LOCKED_HINT}` };
}

