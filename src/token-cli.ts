// `rackcast token create|list|revoke`: API tokens from a shell on the box, written to the engine's own
// database with the engine's own code (src/web/api-tokens.ts), so a running engine takes a new token,
// or drops a revoked one, at its next request. Root acts as the data directory's owner (as `rackcast
// passwd` does), so no file there becomes root's.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from './engine/db/database.js';
import { SettingsStore } from './engine/db/settings-store.js';
import { identityFor } from './passwd.js';
import { SCOPES, createApiToken, listApiTokens, parseNewToken, revokeApiToken } from './web/api-tokens.js';

export const TOKEN_USAGE = `usage: rackcast token create --label LABEL --scope admin|control|metadata|read [--data-dir DIR]
       rackcast token list [--data-dir DIR]
       rackcast token revoke ID [--data-dir DIR]
  create prints the new token once (it is stored hashed): give it to the client as
  Authorization: Bearer <token> (the front panel: RACKCAST_API_TOKEN, scope control).
  DIR defaults to $RACKCAST_DATA_DIR, else /var/lib/rackcast.`;

export class TokenError extends Error {}

export function runToken(args: string[], env: NodeJS.ProcessEnv, out: (line: string) => void = console.log): void {
  let parsed;
  try {
    parsed = parseArgs({ args, strict: true, allowPositionals: true, options: { 'data-dir': { type: 'string' }, label: { type: 'string' }, scope: { type: 'string' } } });
  } catch (err) {
    throw new TokenError(`${err instanceof Error ? err.message : String(err)}\n${TOKEN_USAGE}`);
  }
  const { values, positionals } = parsed;
  const [action, id] = positionals;
  if (action !== 'create' && action !== 'list' && action !== 'revoke') throw new TokenError(`say create, list or revoke\n${TOKEN_USAGE}`);
  if (action === 'revoke' && !id) throw new TokenError('revoke needs the token\'s ID (rackcast token list shows them)');
  let input: { label: string; scope: (typeof SCOPES)[number] } | null = null;
  if (action === 'create') {
    const checked = parseNewToken({ label: values.label, scope: values.scope });
    if (!checked.ok) throw new TokenError(checked.errors.map((e) => `--${e.field} ${e.message}`).join('; '));
    input = checked.value;
  }
  const dataDir = values['data-dir'] ?? env.RACKCAST_DATA_DIR ?? '/var/lib/rackcast';
  let st;
  try {
    st = statSync(dataDir);
  } catch {
    throw new TokenError(`no data directory ${dataDir}: is RackCast installed (or give --data-dir)?`);
  }
  const as = identityFor(process.getuid?.() ?? -1, { uid: st.uid, gid: st.gid });
  if (as) {
    const child = spawnSync('setpriv', ['--reuid', String(as.uid), '--regid', String(as.gid), '--clear-groups', '--',
      process.execPath, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
    if (child.error) throw new TokenError(`cannot run as the owner of ${dataDir}: ${child.error.message}`);
    process.exit(child.status ?? 1);
  }
  const db = openDatabase(join(dataDir, 'rackcast.db'));
  try {
    const settings = new SettingsStore(db);
    if (input) {
      const created = createApiToken(settings, input.label, input.scope);
      out(created.token);
      process.stderr.write(`token ${created.id} "${created.label}" (scope ${created.scope}) created; it is shown only this once\n`);
    } else if (action === 'list') {
      for (const t of listApiTokens(settings)) out(`${t.id}  ${t.scope.padEnd(8)}  ${t.label}  created ${t.created_at}  last used ${t.last_used_at ?? 'never'}`);
    } else if (!revokeApiToken(settings, id!)) {
      throw new TokenError(`no API token with ID ${id}`);
    } else out(`token ${id} revoked`);
  } finally {
    db.close();
  }
}
