// A real Icecast 2.4 server on loopback for integration tests (PROTOCOLS.md §4.1, §10): HTTP on
// port P, and the SHOUTcast v1 source protocol on P+1 through the listen socket's <shoutcast-mount>.
import type { ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exited, freePortPair, httpGet, removeOnExit, spawnTracked, stopChild, tailOf, waitFor } from './util.js';

export interface IcecastOptions {
  sourcePassword?: string;
  adminPassword?: string;
  /** Mounts declared with <charset>UTF-8</charset> (the shoutcast mount is always declared too). */
  mounts?: string[];
  /** Where SHOUTcast v1 sources on port+1 end up. */
  shoutcastMount?: string;
  /** A fixed HTTP port (the demo wants a memorable one); P+1 must be free too. Default: a free pair. */
  port?: number;
  /** Bytes a new listener gets at once (Icecast's <burst-size>; default 65535, Debian's icecast.xml's). */
  burstSize?: number;
  /** Sources on air at once (default 16). */
  maxSources?: number;
}

export interface IcecastServer {
  port: number;
  shoutcastPort: number;
  sourcePassword: string;
  adminPassword: string;
  shoutcastMount: string;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  /** Temp dir with icecast.xml, error.log and access.log; removed when the test process exits. */
  dir: string;
  stop(): Promise<void>;
  /** Starts it again after stop(): same port, same config. A no-op while it is running. */
  start(): Promise<void>;
  /** stop() then start(): sources are dropped, listeners cut off. */
  restart(): Promise<void>;
  statusJson(): Promise<unknown>;
  /** Current listeners of `mount`, or null when no source is on it. */
  listenerCount(mount: string): Promise<number | null>;
  mountIsLive(mount: string): Promise<boolean>;
  /** Icecast's error.log (loglevel 4, debug) so far. */
  errorLog(): string;
}

const NOBODY_UID = 65534;
const NOGROUP_GID = 65534;
const START_TIMEOUT_MS = 10_000;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

interface ConfigInput {
  port: number;
  dir: string;
  sourcePassword: string;
  adminPassword: string;
  mounts: string[];
  shoutcastMount: string;
  changeOwner: boolean;
  burstSize?: number;
  maxSources?: number;
}

export function icecastConfigXml(c: ConfigInput): string {
  const mountXml = c.mounts
    .map((m) => `  <mount type="normal"><mount-name>${escapeXml(m)}</mount-name><charset>UTF-8</charset></mount>`)
    .join('\n');
  // Icecast refuses to run as root; as root it binds first and then drops to nobody.
  const security = c.changeOwner ? '<changeowner><user>nobody</user><group>nogroup</group></changeowner>' : '';
  return `<icecast>
  <location>test</location>
  <admin>test@localhost</admin>
  <hostname>127.0.0.1</hostname>
  <limits>
    <clients>64</clients>
    <sources>${c.maxSources ?? 16}</sources>
    <queue-size>524288</queue-size>
    <client-timeout>30</client-timeout>
    <header-timeout>15</header-timeout>
    <source-timeout>10</source-timeout>
    <burst-size>${c.burstSize ?? 65535}</burst-size>
  </limits>
  <authentication>
    <source-password>${escapeXml(c.sourcePassword)}</source-password>
    <relay-password>${escapeXml(c.sourcePassword)}</relay-password>
    <admin-user>admin</admin-user>
    <admin-password>${escapeXml(c.adminPassword)}</admin-password>
  </authentication>
  <listen-socket>
    <port>${c.port}</port>
    <bind-address>127.0.0.1</bind-address>
    <shoutcast-mount>${escapeXml(c.shoutcastMount)}</shoutcast-mount>
  </listen-socket>
${mountXml}
  <fileserve>1</fileserve>
  <paths>
    <basedir>/usr/share/icecast2</basedir>
    <logdir>${escapeXml(c.dir)}</logdir>
    <webroot>/usr/share/icecast2/web</webroot>
    <adminroot>/usr/share/icecast2/admin</adminroot>
  </paths>
  <logging>
    <accesslog>access.log</accesslog>
    <errorlog>error.log</errorlog>
    <loglevel>4</loglevel>
  </logging>
  <security>
    <chroot>0</chroot>
    ${security}
  </security>
</icecast>
`;
}

/** `source` is an object for one mount, an array for several, absent for none (PROTOCOLS §5.1). */
function sourcesOf(status: unknown): Record<string, unknown>[] {
  if (typeof status !== 'object' || status === null) return [];
  const icestats = (status as Record<string, unknown>).icestats;
  if (typeof icestats !== 'object' || icestats === null) return [];
  const src = (icestats as Record<string, unknown>).source;
  const list = src == null ? [] : Array.isArray(src) ? src : [src];
  return list.filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null);
}

/**
 * For about a second after start status-json.xsl is invalid JSON (`{"icestats":"server_start":…`):
 * the config-derived globals (admin, host, location, server_id) only appear once the slave thread
 * first runs. Tests that parse it before then would fail, so "ready" means server_id is there.
 */
function isReady(status: unknown): boolean {
  if (typeof status !== 'object' || status === null) return false;
  const icestats = (status as Record<string, unknown>).icestats;
  return typeof icestats === 'object' && icestats !== null && 'server_id' in icestats;
}

/** status-json has no mount field; the path of `listenurl` is the mount. */
function findSource(status: unknown, mount: string): Record<string, unknown> | undefined {
  return sourcesOf(status).find((s) => typeof s.listenurl === 'string' && new URL(s.listenurl).pathname === mount);
}

export async function startIcecast(opts: IcecastOptions = {}): Promise<IcecastServer> {
  const sourcePassword = opts.sourcePassword ?? 'hackme';
  const adminPassword = opts.adminPassword ?? 'adminpass';
  const shoutcastMount = opts.shoutcastMount ?? '/sc.mp3';
  const mounts = [...new Set([...(opts.mounts ?? ['/live.mp3']), shoutcastMount])];
  const isRoot = process.getuid?.() === 0;

  const dir = mkdtempSync('/tmp/rackcast-icecast-');
  removeOnExit(dir);
  if (isRoot) chownSync(dir, NOBODY_UID, NOGROUP_GID);
  chmodSync(dir, 0o755);

  const port = opts.port ?? (await freePortPair());
  const configPath = join(dir, 'icecast.xml');
  const config = { port, dir, sourcePassword, adminPassword, mounts, shoutcastMount, changeOwner: isRoot, burstSize: opts.burstSize, maxSources: opts.maxSources };
  writeFileSync(configPath, icecastConfigXml(config));
  const baseUrl = `http://127.0.0.1:${port}`;

  let child: ChildProcess | undefined;

  /**
   * Starts icecast2 and waits until its status page is ready. A process that dies before it has said
   * anything (no stderr, nothing in its log: a spawn failure) or crashes while starting (icecast 2.4.4
   * can take a SIGSEGV when its status page is asked for just as its stats thread starts, seen on a
   * loaded machine) is started again, up to three times; each death is printed, so it stays visible.
   */
  async function launch(attempt = 1): Promise<void> {
    // Not -b: keeping the child lets stop() see the real exit and the exit hook kill it.
    const logBefore = readLog().length;
    const proc = spawnTracked('icecast2', ['-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const output = tailOf(proc.stderr);
    tailOf(proc.stdout);
    let spawnError = '';
    proc.once('error', (err) => (spawnError = err.message));
    let gone: number | string | undefined;
    void exited(proc).then((how) => (gone = how));
    try {
      // A death ends the wait at once (a throwing predicate would only count as "not yet").
      await waitFor(async () => gone !== undefined || isReady(await statusJson()), {
        timeoutMs: START_TIMEOUT_MS,
        intervalMs: 50,
        what: `icecast2 answering on ${baseUrl}`,
      });
      if (gone !== undefined) throw new Error(`icecast2 exited early (${spawnError || `exit ${gone}`}): ${output().trim()}`);
    } catch (err) {
      const died = gone;
      await stopChild(proc);
      const silent = died !== undefined && output().trim() === '' && readLog().length === logBefore;
      const crashed = died === 'SIGSEGV' || died === 'SIGABRT' || died === 'SIGBUS';
      const log = readLog().split('\n').slice(-20).join('\n');
      const message = `${(err as Error).message}\nstderr: ${output().trim()}\nerror.log tail:\n${log}`;
      if ((silent || crashed) && attempt < 3) {
        process.stderr.write(`icecast harness: starting again after ${crashed ? `a crash (${died})` : 'a silent death'}: ${message}\n`);
        return launch(attempt + 1);
      }
      throw new Error(message);
    }
  }

  function readLog(): string {
    try {
      return readFileSync(join(dir, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async function start(): Promise<void> {
    if (child && child.exitCode === null && child.signalCode === null) return;
    await launch();
  }

  async function stop(): Promise<void> {
    if (child) await stopChild(child);
  }

  async function statusJson(): Promise<unknown> {
    const res = await httpGet(`${baseUrl}/status-json.xsl`, 1000);
    if (res.status !== 200) throw new Error(`status-json.xsl: HTTP ${res.status}`);
    try {
      return JSON.parse(res.body) as unknown;
    } catch {
      // status-json.xsl can emit invalid JSON (PROTOCOLS §5.1 quirk 5); show what it said.
      throw new Error(`status-json.xsl: invalid JSON: ${res.body.slice(0, 200)}`);
    }
  }

  await launch();

  return {
    port,
    shoutcastPort: port + 1,
    sourcePassword,
    adminPassword,
    shoutcastMount,
    baseUrl,
    dir,
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
    statusJson,
    async listenerCount(mount) {
      const source = findSource(await statusJson(), mount);
      if (!source) return null;
      return typeof source.listeners === 'number' ? source.listeners : 0;
    },
    async mountIsLive(mount) {
      return findSource(await statusJson(), mount) !== undefined;
    },
    errorLog: readLog,
  };
}
