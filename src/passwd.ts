// `rackcast passwd`: sets the admin password from a shell on the box (DESIGN.md "Starting it"). A fresh
// install has none; this is how the operator sets one, and how a forgotten one is replaced. It writes the
// engine's own database with the engine's own hashing (src/web/auth.ts), so a running engine takes the
// new password at its next sign-in (a Basic header it verified in the last minute stays trusted that long).
// Run as root on the box, it also gives the front panel an API token the first time (/etc/rackcast/panel.env,
// read by rackcast-panel.service), so the panel goes from LOCKED to the station's status by itself.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from './engine/db/database.js';
import { SettingsStore } from './engine/db/settings-store.js';
import { SessionTable, createApiToken, setAdminPassword } from './web/auth.js';

export const PASSWD_USAGE = `usage: rackcast passwd [--data-dir DIR] [--stdin]
  Sets the admin password of the engine whose data is in DIR (default $RACKCAST_DATA_DIR, else
  /var/lib/rackcast). Asks twice on the terminal; --stdin reads one line from standard input instead.
  Run as root or as the engine's user; root acts as the owner of DIR, so no file there becomes root's.
  Root also gives the front panel its API token the first time (/etc/rackcast/panel.env, 0600).`;

export const MIN_PASSWORD_LENGTH = 8;

/** What the operator did wrong or must know; `rackcast passwd` prints it and exits 2. */
export class PasswdError extends Error {}

export interface PasswdIo {
  /** Reads the password: from the terminal without echo (asking twice), or a line of stdin. */
  readPassword(prompt: string): Promise<string>;
  interactive: boolean;
  out(line: string): void;
}

/** The uid/gid to act as: root becomes the owner of the data directory; anyone else stays who they are. */
export function identityFor(currentUid: number, dirOwner: { uid: number; gid: number }): { uid: number; gid: number } | null {
  return currentUid === 0 && dirOwner.uid !== 0 ? dirOwner : null;
}

export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `the password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (/[\u0000-\u001f\u007f]/.test(password)) return 'the password must not contain control characters';
  return null;
}

export async function runPasswd(args: string[], env: NodeJS.ProcessEnv, io: PasswdIo): Promise<void> {
  let values: { 'data-dir'?: string; stdin?: boolean };
  try {
    ({ values } = parseArgs({ args, strict: true, options: { 'data-dir': { type: 'string' }, stdin: { type: 'boolean' } } }));
  } catch (err) {
    throw new PasswdError(`${err instanceof Error ? err.message : String(err)}\n${PASSWD_USAGE}`);
  }
  const dataDir = values['data-dir'] ?? env.RACKCAST_DATA_DIR ?? '/var/lib/rackcast';
  let st;
  try {
    st = statSync(dataDir);
  } catch {
    throw new PasswdError(`no data directory ${dataDir}: is RackCast installed (or give --data-dir)?`);
  }
  if (!st.isDirectory()) throw new PasswdError(`${dataDir} is not a directory`);
  const as = identityFor(process.getuid?.() ?? -1, { uid: st.uid, gid: st.gid });
  // The front panel needs credentials too: root (on the box) gives it an API token the first time.
  const panelEnv = env.RACKCAST_PANEL_ENV_FILE ?? PANEL_ENV_FILE;
  const wantPanelToken = process.getuid?.() === 0 && existsSync(dirname(panelEnv)) && !hasPanelToken(panelEnv);
  if (as) {
    // Root runs this command again as the data directory's owner, before the database is opened, so its
    // -wal and -shm files stay the engine's user's. setpriv(1) (util-linux) drops the privileges: Node's
    // own process.setuid() refuses while io_uring may be in use (CVE-2024-22017).
    const child = spawnSync('setpriv', ['--reuid', String(as.uid), '--regid', String(as.gid), '--clear-groups', '--',
      process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
      // The new panel token comes back on descriptor 3, for root to store where the panel's unit reads it.
      stdio: ['inherit', 'inherit', 'inherit', wantPanelToken ? 'pipe' : 'ignore'],
      env: { ...process.env, ...(wantPanelToken ? { [TOKEN_FD_ENV]: '3' } : {}) },
    });
    if (child.error) throw new PasswdError(`cannot run as the owner of ${dataDir}: ${child.error.message}`);
    const token = child.output[3]?.toString().trim();
    if (child.status === 0 && wantPanelToken && token) storePanelToken(panelEnv, token, io);
    process.exit(child.status ?? 1);
  }
  const password = await io.readPassword('New admin password: ');
  const problem = passwordProblem(password);
  if (problem) throw new PasswdError(problem);
  if (io.interactive && !values.stdin) {
    const again = await io.readPassword('Again: ');
    if (again !== password) throw new PasswdError('the two passwords differ; nothing changed');
  }
  const tokenFd = env[TOKEN_FD_ENV] === '3' ? 3 : null;
  let panelToken: string | null = null;
  const db = openDatabase(join(dataDir, 'rackcast.db'));
  try {
    const settings = new SettingsStore(db);
    await setAdminPassword(settings, password);
    // A new password signs every page out, also in a running engine (it checks the stored sessions).
    new SessionTable(db).removeAllBut(null);
    if (tokenFd !== null || wantPanelToken) panelToken = createApiToken(settings, 'front panel', 'control').token;
  } finally {
    db.close();
  }
  io.out('admin password set; sign in to the web page as admin with it');
  if (panelToken && tokenFd !== null) writeSync(tokenFd, `${panelToken}\n`);
  else if (panelToken) storePanelToken(panelEnv, panelToken, io);
}

/** Where rackcast-panel.service reads the panel's API token (EnvironmentFile=). */
export const PANEL_ENV_FILE = '/etc/rackcast/panel.env';
const TOKEN_FD_ENV = 'RACKCAST_PASSWD_TOKEN_FD';

export function hasPanelToken(file: string): boolean {
  try {
    return /^RACKCAST_API_TOKEN=\S+$/m.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

function storePanelToken(file: string, token: string, io: PasswdIo): void {
  writeFileSync(file, `# Written by rackcast passwd: the front panel's API token (revoke it and delete this file for a new one).\nRACKCAST_API_TOKEN=${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  io.out(`the front panel signs in with its own API token (${file})`);
  // A panel waiting at LOCKED picks the token up when it starts again.
  if (existsSync('/run/systemd/system')) spawnSync('systemctl', ['try-restart', 'rackcast-panel.service'], { stdio: 'ignore' });
}

/** Reads one line with echo off (a TTY), or one line of piped stdin. */
export function terminalIo(fromStdin: boolean): PasswdIo {
  const stdin = process.stdin;
  const tty = !fromStdin && stdin.isTTY === true;
  let piped: Promise<string[]> | null = null;
  const readPiped = async (): Promise<string[]> => {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
  };
  return {
    interactive: tty,
    out: (line) => console.log(line),
    readPassword: async (prompt) => {
      if (!tty) {
        piped ??= readPiped();
        return (await piped).shift() ?? '';
      }
      process.stderr.write(prompt);
      stdin.setRawMode(true);
      stdin.resume();
      return new Promise<string>((resolve, reject) => {
        let typed = '';
        const onData = (buf: Buffer) => {
          for (const ch of buf.toString('utf8')) {
            if (ch === '\r' || ch === '\n') {
              finish();
              resolve(typed);
              return;
            }
            if (ch === '\u0003') {
              finish();
              reject(new PasswdError('interrupted; nothing changed'));
              return;
            }
            if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
            else typed += ch;
          }
        };
        const finish = () => {
          stdin.off('data', onData);
          stdin.setRawMode(false);
          stdin.pause();
          process.stderr.write('\n');
        };
        stdin.on('data', onData);
      });
    },
  };
}
