// Directories recordings must never go to: the system's own (a recording written under /etc, or
// retention run in /usr, is how an appliance breaks), and the directories above the engine's data.
// Pure: the caller canonicalises the path first (realpath), and checks the text as typed too, so that
// "/proc/self/cwd" is refused for what it names and not only for where it happens to lead.
import { posix } from 'node:path';

/** Refused themselves. */
const SYSTEM_DIRS = ['/', '/bin', '/boot', '/dev', '/etc', '/home', '/proc', '/root', '/run', '/sbin', '/sys', '/usr', '/var'];
/** Refused with everything inside them. */
const SYSTEM_TREES = ['/bin', '/boot', '/dev', '/etc', '/proc', '/run', '/sbin', '/sys', '/usr'];
/** /lib, /lib32, /lib64, /libx32 and whatever else the distribution calls a /lib*. */
const LIB_TREE = /^\/lib[^/]*(\/|$)/;

function inside(path: string, tree: string): boolean {
  return path === tree || path.startsWith(`${tree}/`);
}

/**
 * Why `path` (absolute) cannot hold recordings, or null. `dataDir` (canonical) adds the engine's data
 * directory and every directory above it; directories inside the data directory are fine.
 */
export function systemPathProblem(path: string, dataDir?: string): string | null {
  const p = posix.normalize(path).replace(/(.)\/+$/, '$1');
  if (p === '/') return 'must not be the root directory';
  if (SYSTEM_TREES.some((t) => inside(p, t)) || LIB_TREE.test(p)) return `is a system directory (${p}); use a directory of its own, e.g. /media/rackcast`;
  if (SYSTEM_DIRS.includes(p)) return `is a system directory (${p}); use a directory of its own, e.g. /media/rackcast`;
  if (dataDir) {
    const data = posix.normalize(dataDir).replace(/(.)\/+$/, '$1');
    if (p === data) return 'must not be the data directory itself (a directory inside it is fine)';
    if (inside(data, p)) return `contains the data directory ${data}`;
  }
  return null;
}
