// Removes from a production node_modules what only building the native addons needs: prebuild-install
// and install-artifact-from-github (downloaders of prebuilt binaries), node-gyp, and the addon headers
// nan and node-addon-api, with every package that nothing else at run time reaches.
// Usage: node packaging/prune-build-deps.mjs DIR   (DIR holds package.json and node_modules/)
import { readFileSync, rmSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';

export const BUILD_ONLY = new Set(['prebuild-install', 'install-artifact-from-github', 'node-gyp', 'nan', 'node-addon-api']);

/** Node's resolution of `name` from the package at `from` ('' for the root): nearest node_modules up the tree. */
function resolveFrom(packages, from, name) {
  for (let dir = from; ; dir = dirname(dirname(dir))) {
    const candidate = `${dir === '' || dir === '.' ? '' : `${dir}/`}node_modules/${name}`;
    if (candidate in packages) return candidate;
    if (dir === '' || dir === '.') return null;
  }
}

/** The package paths (keys of the hidden lock file) reachable at run time from the root's dependencies. */
export function runtimePackages(lock, rootManifest) {
  const packages = lock.packages;
  const reached = new Set();
  const queue = [['', { ...rootManifest.dependencies, ...rootManifest.optionalDependencies }]];
  while (queue.length) {
    const [from, deps] = queue.shift();
    for (const name of Object.keys(deps ?? {})) {
      if (BUILD_ONLY.has(name)) continue;
      const path = resolveFrom(packages, from, name);
      if (path === null || reached.has(path)) continue;
      reached.add(path);
      const p = packages[path];
      queue.push([path, { ...p.dependencies, ...p.optionalDependencies }]);
    }
  }
  return reached;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  const lock = JSON.parse(readFileSync(join(dir, 'node_modules/.package-lock.json'), 'utf8'));
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const keep = runtimePackages(lock, manifest);
  const drop = Object.keys(lock.packages).filter((p) => p.startsWith('node_modules/') && !keep.has(p));
  // Deepest first, so a nested package goes before the one that holds it.
  for (const p of drop.sort((a, b) => b.length - a.length)) if (existsSync(join(dir, p))) rmSync(join(dir, p), { recursive: true, force: true });
  console.log(`prune-build-deps: kept ${keep.size} packages, removed ${drop.length}`);
}
