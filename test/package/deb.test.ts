// test-timeout: 1500
// The Debian package, built for both architectures by scripts/build-deb as a user would build it:
// its contents against the expected manifest (test/package/manifest.txt), the compiled engine against
// src/, node_modules against the locked production dependencies, every native addon compiled for the
// package's architecture, the control data, and lintian's verdict against the accepted list
// (test/package/lintian-accepted.txt). The install on a booted Debian 13 is scripts/test-package.
//
// The first build of an architecture compiles its native addons (about 2 min each on 2 cores; arm64 with
// Debian's cross compiler); later builds take their production node_modules from build/deb-cache/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runtimePackages, BUILD_ONLY } from '../../packaging/prune-build-deps.mjs';

const repo = new URL('../..', import.meta.url).pathname;
// Kept after the run (only the .debs): test/package/image.test.ts installs the amd64 one into the image.
const out = join(repo, 'build/test-debs');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const ARCHS = ['amd64', 'arm64'] as const;
type Arch = (typeof ARCHS)[number];
const debs = {} as Record<Arch, string>;
const ELF_MACHINE: Record<Arch, number> = { amd64: 0x3e, arm64: 0xb7 };

interface Entry { mode: string; owner: string; path: string; target?: string }

function contents(deb: string): Entry[] {
  const r = spawnSync('dpkg-deb', ['--contents', deb], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.is(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((line) => {
    const m = /^(\S+) (\S+) +\d+ \S+ \S+ \.(\/.*?)(?: -> (.*))?$/.exec(line);
    if (!m) throw new Error(`unexpected dpkg-deb line: ${line}`);
    return { mode: m[1]!, owner: m[2]!, path: m[3]!, target: m[4] };
  });
}

function field(deb: string, name: string): string {
  const r = spawnSync('dpkg-deb', ['--field', deb, name], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function filesUnder(root: string, dir = root): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) found.push(...filesUnder(root, full));
    else found.push(relative(root, full));
  }
  return found;
}

test.before(() => {
  for (const arch of ARCHS) {
    const started = Date.now();
    const r = spawnSync('bash', [join(repo, 'scripts/build-deb'), '--arch', arch, '--out', out], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`build-deb --arch ${arch} failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
    debs[arch] = r.stdout.trim().split('\n').at(-1)!;
    console.log(`build-deb --arch ${arch}: ${((Date.now() - started) / 1000).toFixed(1)} s, ${(statSync(debs[arch]).size / 1e6).toFixed(1)} MB`);
  }
});

test.after(() => {
  for (const name of readdirSync(out)) if (!name.endsWith('.deb')) rmSync(join(out, name), { recursive: true, force: true });
});

test('the file names are rackcast_<version>_<arch>.deb', () => {
  for (const arch of ARCHS) {
    const version = field(debs[arch], 'Version');
    assert.is(debs[arch], join(out, `rackcast_${version}_${arch}.deb`));
    assert.is(field(debs[arch], 'Architecture'), arch);
    assert.match(version, /^\d+\.\d+\.\d+~git\d+\.[0-9a-f]{8}$/);
  }
});

test('outside dist and node_modules, the contents are exactly the manifest', () => {
  const expected = readFileSync(join(repo, 'test/package/manifest.txt'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  for (const arch of ARCHS) {
    const got = contents(debs[arch])
      .filter((e) => !e.path.startsWith('/opt/rackcast/dist/') && !e.path.startsWith('/opt/rackcast/node_modules/'))
      .map((e) => `${e.mode} ${e.owner} ${e.path}${e.target ? ` -> ${e.target}` : ''}`)
      .sort((a, b) => a.split(' ')[2]!.localeCompare(b.split(' ')[2]!));
    const want = [...expected].sort((a, b) => a.split(' ')[2]!.localeCompare(b.split(' ')[2]!));
    assert.equal(got, want, arch);
  }
});

test('dist holds the engine compiled from every source file, the page, and nothing else', () => {
  const sources = filesUnder(join(repo, 'src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => f.replace(/\.ts$/, '.js'));
  for (const arch of ARCHS) {
    const dist = contents(debs[arch]).filter((e) => e.path.startsWith('/opt/rackcast/dist/') && !e.path.endsWith('/')).map((e) => e.path.slice('/opt/rackcast/dist/'.length));
    const engine = dist.filter((f) => !f.startsWith('page/')).sort();
    assert.equal(engine, [...sources].sort(), `${arch}: compiled files`);
    assert.ok(dist.includes('page/index.html'), `${arch}: the page`);
    assert.ok(dist.some((f) => /^page\/assets\/.+\.js$/.test(f)), `${arch}: the page's script`);
    assert.not.ok(dist.some((f) => f.endsWith('.map') || f.endsWith('.build-stamp')), `${arch}: no source maps or stamps`);
  }
});

test('node_modules holds the production dependencies only, with each addon built for the architecture', () => {
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8'));
  const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  const expected = [...runtimePackages(lock, manifest)].filter((p) => !p.includes('/node_modules/', 'node_modules/'.length)).sort();
  for (const dev of ['typescript', 'vite', 'svelte', 'uvu', 'tsx', 'playwright-core']) assert.ok(dev in manifest.devDependencies && !expected.includes(`node_modules/${dev}`));
  for (const arch of ARCHS) {
    const entries = contents(debs[arch]);
    const shipped = new Set<string>();
    for (const e of entries) {
      const m = /^\/opt\/rackcast\/(node_modules\/(?:@[^/]+\/)?[^/]+)\/package\.json$/.exec(e.path);
      if (m) shipped.add(m[1]!);
    }
    assert.equal([...shipped].sort(), expected, `${arch}: top-level packages`);
    for (const name of BUILD_ONLY) assert.not.ok(shipped.has(`node_modules/${name}`), `${arch}: ${name} is only for building`);
    // Each addon: an ELF shared object for this architecture (e_machine at byte 18), not executable.
    const addons = entries.filter((e) => e.path.endsWith('.node'));
    assert.equal(addons.map((e) => e.path.split('/').at(-1)).sort(), ['better_sqlite3.node', 'epoll.node', 'i2c.node', 're2.node']);
    const x = mkdtempSync(join(out, `x-${arch}-`));
    assert.is(spawnSync('dpkg-deb', ['-x', debs[arch], x]).status, 0);
    for (const a of addons) {
      assert.is(a.mode, '-rw-r--r--', a.path);
      const head = readFileSync(join(x, a.path)).subarray(0, 20);
      assert.is(head.subarray(0, 4).toString('latin1'), '\x7fELF', a.path);
      assert.is(head.readUInt16LE(18), ELF_MACHINE[arch], `${arch}: ${a.path} machine`);
    }
    rmSync(x, { recursive: true, force: true });
  }
});

test('control: dependencies, conffiles and maintainer scripts', () => {
  for (const arch of ARCHS) {
    const depends = field(debs[arch], 'Depends');
    for (const d of ['nodejs (>= 20)', 'ffmpeg', 'alsa-utils']) assert.ok(depends.split(', ').includes(d), `${arch}: Depends ${d}: ${depends}`);
    assert.match(depends, /libc6 \(>= 2\.\d+\)/);
    assert.equal(field(debs[arch], 'Recommends').split(', '), ['liquidsoap', 'icecast2', 'avahi-daemon']);
    const x = mkdtempSync(join(out, `c-${arch}-`));
    assert.is(spawnSync('dpkg-deb', ['--control', debs[arch], x]).status, 0);
    assert.equal(readFileSync(join(x, 'conffiles'), 'utf8').trim().split('\n'), ['/etc/alsa/conf.d/60-rackcast.conf', '/etc/default/rackcast', '/etc/rackcast/pins.json']);
    for (const script of ['postinst', 'prerm', 'postrm']) {
      assert.is(statSync(join(x, script)).mode & 0o777, 0o755, script);
      // Each is valid POSIX shell (dash, Debian's /bin/sh).
      const syntax = spawnSync('sh', ['-n', join(x, script)], { encoding: 'utf8' });
      assert.is(syntax.status, 0, `${script}: ${syntax.stderr}`);
    }
    assert.match(readFileSync(join(x, 'postrm'), 'utf8'), /purge[\s\S]*rm -rf \/var\/lib\/rackcast/);
    rmSync(x, { recursive: true, force: true });
  }
});

test('lintian reports exactly the accepted tags', () => {
  const accepted = readFileSync(join(repo, 'test/package/lintian-accepted.txt'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).sort();
  for (const arch of ARCHS) {
    const r = spawnSync('lintian', ['--tag-display-limit', '0', debs[arch]], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.ok(r.status === 0 || r.status === 1 || r.status === 2, `lintian ran (${r.status}): ${r.stderr}`);
    const tags = new Set<string>();
    for (const line of r.stdout.split('\n')) {
      const m = /^[EW]: rackcast(?: \w+)?: (\S+)/.exec(line);
      if (m) tags.add(m[1]!);
    }
    assert.equal([...tags].sort(), accepted, `${arch}:\n${r.stdout}`);
  }
});

test('the units pass systemd-analyze verify', () => {
  const x = mkdtempSync(join(out, 'units-'));
  assert.is(spawnSync('dpkg-deb', ['-x', debs.amd64, x]).status, 0);
  const units = join(x, 'usr/lib/systemd/system');
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', ...readdirSync(units).map((u) => join(units, u))], { encoding: 'utf8' });
  // The host has no rackcast user and no /opt/rackcast; everything else must verify clean.
  const problems = (r.stderr + r.stdout).split('\n').filter((l) => l.trim() && !/rackcast-.*: Command \/usr\/bin\/node is not executable|Unit is bound to inactive unit/.test(l));
  assert.equal(problems, [], (r.stderr + r.stdout));
  rmSync(x, { recursive: true, force: true });
});

test.run();
