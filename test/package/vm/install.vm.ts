// The amd64 package installed into a clean Debian 13 and booted for real (scripts/test-package runs
// this; it takes several minutes, so it is not part of scripts/test). build-image installs the package
// with apt into a root made by mmdebstrap from Debian's archive; QEMU boots it with Debian's kernel,
// systemd and udev. Then, over SSH and the forwarded HTTP port:
//   the services run as rackcast with their hardening in force; the engine answers on port 80 from the
//   socket unit; a fresh install is locked until `rackcast passwd`; an MP3 stream of the engine's tone
//   to the guest's Icecast decodes to that tone; a loop-backed FAT image plugged in as a USB stick is
//   automounted at /media/rackcast-usb, recorded to, and ejected safely (the WAV read back with mtools);
//   an upgrade to a newer build keeps the encoders, the password and the edited conffile; purge removes
//   /var/lib/rackcast.
// Usage: node --import tsx test/package/vm/install.vm.ts WORKDIR DEB NEWER_DEB
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Vm } from './vm.js';
import { freePort, sleep, waitFor } from '../../harness/util.js';
import { decodeToPcm, dominantFrequency, rms, channelSamples } from '../../harness/signal.js';

const [workDir, deb, newerDeb] = process.argv.slice(2) as [string, string, string];
if (!workDir || !deb || !newerDeb) throw new Error('usage: install.vm.ts WORKDIR DEB NEWER_DEB');
const PASSWORD = 'rack-test-pass-1';
const stick = join(workDir, 'stick.img');
let vm: Vm;
let httpPort = 0;
let icePort = 0;
const timings: Record<string, number> = {};

function api(method: string, path: string, body?: unknown, auth = true): { status: number; json: any } {
  const args = ['-s', '-o', '-', '-w', '\n%{http_code}', '-X', method, '--max-time', '30'];
  if (auth) args.push('-u', `admin:${PASSWORD}`);
  if (body !== undefined) args.push('-H', 'Content-Type: application/json', '--data-binary', JSON.stringify(body));
  const r = spawnSync('curl', [...args, `http://127.0.0.1:${httpPort}${path}`], { encoding: 'utf8', timeout: 60_000 });
  const text = r.stdout ?? '';
  const cut = text.lastIndexOf('\n');
  const status = Number(text.slice(cut + 1));
  let json: any = null;
  try {
    json = JSON.parse(text.slice(0, cut));
  } catch {
    json = text.slice(0, cut);
  }
  return { status, json };
}

const show = (unit: string, props: string[]): Record<string, string> =>
  Object.fromEntries(vm.ok(['systemctl', 'show', unit, ...props.map((p) => `-p${p}`)]).trim().split('\n').map((l) => {
    const i = l.indexOf('=');
    return [l.slice(0, i), l.slice(i + 1)];
  }));

test.before(async () => {
  try {
    await setUp();
  } catch (err) {
    // uvu does not print a failing hook's error.
    console.error('set-up failed:', err);
    throw err;
  }
});

async function setUp(): Promise<void> {
  httpPort = await freePort();
  icePort = await freePort();
  // A 64 MiB FAT32 stick (mkfs.vfat makes the image; the host kernel needs no vfat, mtools reads it).
  spawnSync('rm', ['-f', stick]);
  const mk = spawnSync('mkfs.vfat', ['-F', '32', '-n', 'RCSTICK', '-C', stick, String(64 * 1024)], { encoding: 'utf8' });
  assert.is(mk.status, 0, mk.stderr);
  vm = new Vm({
    dir: workDir, sshKey: join(workDir, 'ssh-key'), sshPort: await freePort(), httpPort,
    extraForwards: { [icePort]: 8000 }, usbDrives: { stick },
  });
  const started = Date.now();
  vm.start();
  await vm.waitForSsh(300_000);
  timings.boot_to_ssh_s = (Date.now() - started) / 1000;
  // The engine is Type=notify: active once it has opened its database and is serving.
  await waitFor(() => vm.run(['systemctl', 'is-active', 'rackcast-engine.service']).stdout.trim() === 'active', { timeoutMs: 180_000, intervalMs: 2000, what: 'rackcast-engine active' });
  timings.boot_to_engine_s = (Date.now() - started) / 1000;
}

test.after(async () => {
  await vm?.stop();
  console.log(`timings: ${JSON.stringify(timings)}`);
});

test('the engine runs as rackcast from the socket unit, with the hardening in force', () => {
  assert.is(vm.run(['systemctl', 'is-active', 'rackcast-engine.socket']).stdout.trim(), 'active');
  const s = show('rackcast-engine.service', ['MainPID', 'User', 'ProtectSystem', 'ProtectHome', 'PrivateTmp', 'NoNewPrivileges',
    'CapabilityBoundingSet', 'AmbientCapabilities', 'RestrictAddressFamilies', 'DevicePolicy', 'DeviceAllow', 'UMask', 'MemoryMax',
    'ReadWritePaths', 'ProtectKernelTunables', 'ProtectKernelModules', 'ProtectControlGroups', 'WatchdogUSec', 'Type']);
  assert.is(s.User, 'rackcast');
  assert.is(s.ProtectSystem, 'strict');
  assert.is(s.ProtectHome, 'yes');
  assert.is(s.PrivateTmp, 'yes');
  assert.is(s.NoNewPrivileges, 'yes');
  assert.is(s.CapabilityBoundingSet, '');
  assert.is(s.AmbientCapabilities, '');
  assert.equal(s.RestrictAddressFamilies!.split(' ').sort(), ['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX']);
  assert.is(s.DevicePolicy, 'closed');
  assert.match(s.DeviceAllow!, /char-alsa rw/);
  assert.is(s.UMask, '0077');
  assert.is(s.MemoryMax, String(512 * 1024 * 1024));
  assert.match(s.ReadWritePaths!, /\/media\/rackcast-usb/);
  assert.is(s.ProtectKernelTunables, 'yes');
  assert.is(s.WatchdogUSec, '30s');
  assert.is(s.Type, 'notify');
  // The running process itself: its user, no capabilities at all, no new privileges, a read-only /usr.
  const pid = s.MainPID!;
  assert.is(vm.ok(['ps', '-o', 'user=', '-p', pid]).trim(), 'rackcast');
  const status = vm.ok(['cat', `/proc/${pid}/status`]);
  assert.match(status, /CapEff:\s+0000000000000000/);
  assert.match(status, /CapBnd:\s+0000000000000000/);
  assert.match(status, /NoNewPrivs:\s+1/);
  assert.match(vm.ok(['findmnt', '-N', pid, '-n', '-o', 'OPTIONS', '--target', '/usr']), /(^|,)ro(,|$)/);
  assert.match(vm.ok(['findmnt', '-N', pid, '-n', '-o', 'OPTIONS', '--target', '/var/lib/rackcast']), /(^|,)rw(,|$)/);
  // The state directory: the engine's alone.
  assert.is(vm.ok(['stat', '-c', '%U %a', '/var/lib/rackcast']).trim(), 'rackcast 700');
  // An x86 box has no I2C bus: the panel is skipped by its condition, not failing.
  const panel = show('rackcast-panel.service', ['ConditionResult', 'ActiveState', 'Result']);
  assert.is(panel.ConditionResult, 'no');
  assert.is(panel.Result, 'success');
});

test('the USB sound card is named RackCastIn by udev, and ALSA\'s default reaches it by that name', () => {
  assert.match(vm.ok(['cat', '/proc/asound/cards']), /\[RackCastIn\s*\]/);
  assert.is(vm.run(['test', '-e', '/proc/asound/RackCastIn']).code, 0);
  // Playback: QEMU's card has no capture side. "default" is the package's asym PCM (plug on the card by id).
  const played = vm.run(['aplay', '-q', '-D', 'default', '-f', 'S16_LE', '-r', '44100', '-c', '2', '-d', '1', '/dev/zero']);
  assert.is(played.code, 0, played.stderr);
  assert.match(vm.ok(['aplay', '-L']), /^rackcast_in$/m);
});

test('systemd-analyze security scores (printed for the README)', () => {
  for (const unit of ['rackcast-engine.service', 'rackcast-panel.service']) {
    const out = vm.ok(['systemd-analyze', 'security', '--no-pager', unit]);
    const score = /Overall exposure level for \S+: ([\d.]+) (\S+)/.exec(out);
    assert.ok(score, out.slice(-400));
    timings[`security_${unit}`] = Number(score![1]);
    console.log(`systemd-analyze security ${unit}: ${score![1]} ${score![2]}`);
    assert.ok(Number(score![1]) < 4, `${unit} exposure ${score![1]}`);
  }
});

test('a fresh install answers on port 80, locked, until rackcast passwd sets the admin password', () => {
  // Health answers without credentials (503 "down" here: a VM has no sound card for the default capture).
  const health = api('GET', '/api/health', undefined, false);
  assert.ok([200, 503].includes(health.status), String(health.status));
  assert.ok(['ok', 'degraded', 'down'].includes(health.json.status), JSON.stringify(health.json));
  const page = spawnSync('curl', ['-s', `http://127.0.0.1:${httpPort}/`], { encoding: 'utf8' });
  assert.match(page.stdout, /<html/i);
  assert.is(api('GET', '/api/session', undefined, false).json.locked, true);
  assert.is(api('GET', '/api/encoders').status, 401);
  assert.match(vm.ok(['journalctl', '-u', 'rackcast-engine', '--no-pager']), /rackcast passwd/);
  // Too short, then right; run as root, it acts as the data directory's owner.
  assert.is.not(vm.run(['rackcast', 'passwd', '--stdin'], 'short\n').code, 0);
  vm.ok(['rackcast', 'passwd', '--stdin'], `${PASSWORD}\n`);
  assert.is(vm.ok(['sh', '-c', 'stat -c %U /var/lib/rackcast/rackcast.db* | sort -u']).trim(), 'rackcast');
  assert.is(api('GET', '/api/session', undefined, false).json.locked, false);
  assert.is(api('GET', '/api/encoders').status, 200);
});

test('a stream of the capture to the guest\'s Icecast decodes to it', async () => {
  // The tone stands in for a sound card (a VM has none to capture from), set the way an operator would.
  vm.ok(['sh', '-c', 'echo RACKCAST_CAPTURE=tone:1000 >> /etc/default/rackcast && systemctl restart rackcast-engine']);
  // The package's own Icecast: set up with passwords of its own, off until the operator turns it on.
  assert.is(vm.run(['systemctl', 'is-enabled', 'rackcast-icecast.service']).stdout.trim(), 'disabled');
  assert.is(vm.run(['systemctl', 'is-active', 'rackcast-icecast.service']).stdout.trim(), 'inactive');
  assert.is(vm.ok(['stat', '-c', '%U %a', '/etc/rackcast/icecast.xml']).trim(), 'root 600');
  const sourcePassword = /<source-password>([A-Za-z0-9]{16,})<\/source-password>/.exec(vm.ok(['cat', '/etc/rackcast/icecast.xml']))?.[1];
  assert.ok(sourcePassword, 'a generated source password');
  vm.ok(['systemctl', 'enable', '--now', 'rackcast-icecast.service']);
  await waitFor(() => vm.run(['curl', '-sf', 'http://127.0.0.1:8000/status-json.xsl']).code === 0, { timeoutMs: 60_000, intervalMs: 1000, what: 'rackcast-icecast answering' });
  assert.is(show('rackcast-icecast.service', ['User']).User, 'icecast2');
  await waitFor(() => api('GET', '/api/session', undefined, false).status === 200, { timeoutMs: 120_000, intervalMs: 1000, what: 'engine back' });
  const created = api('POST', '/api/encoders', {
    name: 'Main MP3', codec: 'mp3', bitrate_kbps: 128, output_type: 'icecast', server_host: '127.0.0.1', server_port: 8000,
    server_password: sourcePassword, mount_point: '/live.mp3',
  });
  assert.is(created.status, 201, JSON.stringify(created.json));
  assert.is(api('POST', `/api/encoders/${created.json.id}/start`).status, 200);
  await waitFor(() => api('GET', `/api/encoders/${created.json.id}/status`).json?.state === 'streaming', { timeoutMs: 120_000, intervalMs: 1000, what: 'streaming' });
  const pcm = await decodeToPcm(`http://127.0.0.1:${icePort}/live.mp3`, { seconds: 3, rate: 48000, channels: 1, timeoutMs: 60_000 });
  const samples = channelSamples(pcm, 1).subarray(48000); // past the decoder's start
  const hz = dominantFrequency(samples, 48000);
  assert.ok(Math.abs(hz - 1000) < 10, `dominant ${hz} Hz`);
  assert.ok(rms(samples) > 0.1, `rms ${rms(samples)} (full scale 1)`);
});

test('a USB stick is automounted at /media/rackcast-usb, recorded to, and ejected safely', async () => {
  const settings = api('GET', '/api/recording').json;
  assert.is(settings.settings.recordings_dir, '/media/rackcast-usb');
  assert.is(settings.settings.recordings_removable, true);
  assert.is(settings.storage.present, false, 'no drive yet');
  await vm.monitorCommand('device_add usb-storage,id=stickdev,drive=stick,bus=xhci.0');
  await waitFor(() => /autofs/.test(vm.run(['findmnt', '-n', '-o', 'FSTYPE', '/media/rackcast-usb']).stdout), { timeoutMs: 60_000, intervalMs: 1000, what: 'automount' });
  // The first access mounts the stick, with the options of the udev rule.
  vm.ok(['ls', '/media/rackcast-usb']);
  const opts = vm.ok(['findmnt', '-n', '-t', 'vfat', '-o', 'OPTIONS', '/media/rackcast-usb']);
  assert.match(opts, /flush/);
  assert.match(opts, new RegExp(`uid=${vm.ok(['id', '-u', 'rackcast']).trim()}`));
  // The engine, in its own mount namespace, sees the drive.
  await waitFor(() => api('GET', '/api/recording').json?.storage?.present === true, { timeoutMs: 30_000, intervalMs: 1000, what: 'drive present for the engine' });
  const rec = api('POST', '/api/encoders', { name: 'Logger', codec: 'wav', output_type: 'file', file_rotation: 'none', file_output_path: 'logger' });
  assert.is(rec.status, 201, JSON.stringify(rec.json));
  assert.is(api('POST', `/api/encoders/${rec.json.id}/start`).status, 200);
  await waitFor(() => (api('GET', `/api/encoders/${rec.json.id}/recording`).json?.recorded_secs ?? 0) >= 3, { timeoutMs: 60_000, intervalMs: 1000, what: '3 s recorded' });
  const eject = api('POST', '/api/storage/eject', {});
  assert.is(eject.status, 200, JSON.stringify(eject.json));
  assert.is(eject.json.message, 'safe to remove');
  assert.is(vm.run(['findmnt', '/media/rackcast-usb']).code, 1, 'nothing mounted after the eject');
  await vm.monitorCommand('device_del stickdev');
  await sleep(2000);
  // The recording, read off the image on the host: a WAV whose header carries its real length.
  const dir = spawnSync('mdir', ['-i', stick, '-b', '::/logger'], { encoding: 'utf8' });
  assert.is(dir.status, 0, dir.stderr);
  const wav = dir.stdout.split('\n').find((l) => l.toLowerCase().endsWith('.wav'));
  assert.ok(wav, dir.stdout);
  const copy = spawnSync('mcopy', ['-i', stick, '-n', wav!, '-'], { maxBuffer: 64 * 1024 * 1024 });
  const data = copy.stdout as Buffer;
  assert.is(data.subarray(0, 4).toString(), 'RIFF');
  assert.is(data.readUInt32LE(4), data.length - 8, 'RIFF size is the file size: finished before the unmount');
  assert.ok(data.length > 3 * 48000 * 4, `${data.length} bytes`);
  // The recorder waits for the next drive.
  assert.is(api('GET', `/api/encoders/${rec.json.id}/recording`).json.state, 'storage_missing');
});

test('an upgrade to a newer build keeps the encoders, the password and the edited conffile', async () => {
  const before = api('GET', '/api/encoders').json.map((e: { name: string }) => e.name);
  const pidBefore = show('rackcast-engine.service', ['MainPID']).MainPID;
  vm.scp(newerDeb, '/tmp/');
  vm.ok(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-q', `/tmp/${basename(newerDeb)}`], undefined, 600_000);
  const version = basename(newerDeb).split('_')[1]!;
  assert.is(vm.ok(['dpkg-query', '-W', '-f', '${Version}', 'rackcast']), version);
  await waitFor(() => api('GET', '/api/session', undefined, false).status === 200, { timeoutMs: 120_000, intervalMs: 1000, what: 'engine after the upgrade' });
  assert.is.not(show('rackcast-engine.service', ['MainPID']).MainPID, pidBefore, 'restarted on the new code');
  assert.equal(api('GET', '/api/encoders').json.map((e: { name: string }) => e.name), before);
  assert.match(vm.ok(['cat', '/etc/default/rackcast']), /^RACKCAST_CAPTURE=tone:1000$/m);
  // It was on air before: it is again.
  const mp3 = api('GET', '/api/encoders').json.find((e: { name: string }) => e.name === 'Main MP3');
  await waitFor(() => api('GET', `/api/encoders/${mp3.id}/status`).json?.state === 'streaming', { timeoutMs: 120_000, intervalMs: 1000, what: 'streaming after the upgrade' });
});

test('purge removes /var/lib/rackcast', () => {
  vm.ok(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'purge', '-y', '-q', 'rackcast'], undefined, 300_000);
  assert.is(vm.run(['test', '-e', '/var/lib/rackcast']).code, 1);
  assert.is(vm.run(['test', '-e', '/etc/default/rackcast']).code, 1);
  assert.is(vm.run(['systemctl', 'is-active', 'rackcast-engine.service']).stdout.trim(), 'inactive');
  assert.is(vm.run(['ss', '-Htln', 'sport = :80']).stdout.trim(), '', 'port 80 closed');
});

test.run();
void readFileSync;
