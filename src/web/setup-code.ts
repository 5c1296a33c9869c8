// The setup code: on a box that has no admin password yet (the flashed image), the engine keeps a short
// random code in a file that only the box itself shows (its console, its front panel). The page's first
// visit asks for that code together with the new admin password (POST /api/setup), so no default
// password ever exists and the password is set by someone who can see the box. The file goes once a
// password is set, by any way (the page, `rackcast passwd`, RACKCAST_ADMIN_PASSWORD).
// Enabled by RACKCAST_SETUP_CODE_FILE (the image's drop-in for rackcast-engine.service); without it the
// engine stays locked until `rackcast passwd`, as a package install on an existing system does.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

export const SETUP_CODE_ENV = 'RACKCAST_SETUP_CODE_FILE';
/** Eight digits: with the sign-in throttle in front, guessing one takes years, and it is easy to type. */
export const SETUP_CODE_DIGITS = 8;

/** A new code, shown as `1234-5678`. `pick` stands in for crypto's randomInt in tests. */
export function newSetupCode(pick: (max: number) => number = randomInt): string {
  let digits = '';
  for (let i = 0; i < SETUP_CODE_DIGITS; i++) digits += String(pick(10));
  return `${digits.slice(0, 4)}-${digits.slice(4)}`;
}

/** What a person typed, as digits only: spaces and dashes (or none) are all the same code. */
export function normaliseSetupCode(typed: string): string {
  return typed.replace(/[\s-]/g, '');
}

/** Constant-time comparison of the digits. */
export function setupCodesMatch(expected: string, typed: string): boolean {
  const a = createHash('sha256').update(normaliseSetupCode(expected)).digest();
  const b = createHash('sha256').update(normaliseSetupCode(typed)).digest();
  return normaliseSetupCode(typed).length === SETUP_CODE_DIGITS && timingSafeEqual(a, b);
}

export class SetupCode {
  /** `file`: where the code lives (null: setup codes are off). */
  constructor(private readonly file: string | null) {}

  /** At start and after the password changes: a code exists exactly while no admin password does. */
  sync(locked: boolean): string | null {
    if (!this.file) return null;
    if (!locked) {
      rmSync(this.file, { force: true });
      return null;
    }
    const current = this.code();
    if (current) return current;
    const code = newSetupCode();
    // Written whole or not at all (a power cut mid-write must not leave half a code on the console).
    writeFileSync(`${this.file}.tmp`, `${code}\n`, { mode: 0o600 });
    renameSync(`${this.file}.tmp`, this.file);
    return code;
  }

  /** The code while one is in force, else null. */
  code(): string | null {
    if (!this.file || !existsSync(this.file)) return null;
    const code = readFileSync(this.file, 'utf8').trim();
    return normaliseSetupCode(code).length === SETUP_CODE_DIGITS ? code : null;
  }

  matches(typed: string): boolean {
    const code = this.code();
    return code !== null && setupCodesMatch(code, typed);
  }
}

/**
 * While a code is in force, a password set another way (`rackcast passwd` writing the database of a
 * running engine) retires it within `intervalMs`: the file goes, and with it the code on the console
 * (rackcast-console.path) and the panel. Returns the stop.
 */
export function retireWhenPasswordSet(setupCode: SetupCode, hasPassword: () => boolean, intervalMs = 2000): () => void {
  const timer = setInterval(() => {
    if (setupCode.code() !== null && hasPassword()) setupCode.sync(false);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
