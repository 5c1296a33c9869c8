// test-timeout: 1500
// The flashable image (os-image/, scripts/build-image), amd64, built from the archive with the .deb the
// package test built (or built here) and booted for real: OVMF (UEFI) loads the image's systemd-boot,
// which starts Debian's kernel on the read-only root. Over the forwarded ports, as a new owner would:
//   first boot: the page and the engine answer; the console shows the setup code; the page's setup sets
//   the admin password with it (no default password exists); the root is read-only; host name, SSH host
//   keys, machine-id are the box's own; the data partition has grown to fill the disk;
//   the QEMU sound card, fed by the host's PulseAudio null sink (a 1 kHz tone played into it), is the
//   capture: an MP3 encoder created over the API streams it to the guest's Icecast and the host decodes
//   the tone;
//   power cut: QEMU killed 20 s into a WAV recording to the data partition; the next boot's fsck passes,
//   the engine repairs the file, it plays to within 2 s of the cut, SQLite's integrity_check says ok;
//   a reboot keeps the encoders, and without the key on the boot partition SSH is off;
//   after a clean power-off, e2fsck -fn on the host finds the root and data filesystems clean;
//   factory reset: a file put on the boot partition, the next boot makes the data partition anew (no
//   encoders, a new setup code and new SSH host keys, grown again).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vm } from './vm/vm.js';
import { startPulse, type PlayHandle, type PulseServer } from '../harness/pulse.js';
import { channelSamples, decodeToPcm, dominantFrequency, rms, sinePcm } from '../harness/signal.js';
import { freePort, sleep, waitFor } from '../harness/util.js';

const repo = new URL('../..', import.meta.url).pathname;
const work = mkdtempSync('/var/tmp/rackcast-image-test-');
const PASSWORD = 'image-admin-pw-1';
const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
// QEMU's first NIC: 52:54:00:12:34:56, so the box calls itself rackcast-3456.
const HOST_NAME = 'rackcast-3456';
const disk = join(work, 'disk.img');
const timings: Record<string, number | string> = {};
let vm: Vm;
let pulse: PulseServer;
let tone: PlayHandle;
let httpPort = 0;
let icePort = 0;
let basic = '';
const ids: Record<string, number> = {};
let firstCode = '';
let firstHostKey = '';

function sh(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input: opts.input, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stdout ?? '').slice(-2000)}\n${(r.stderr ?? '').slice(-2000)}`);
  return r.stdout;
}

/** One request with curl (a new connection each time: QEMU's user network and Node's keep-alive pool do not mix). */
async function http(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; cookie: string | null }> {
  const args = ['-s', '-o', '-', '-D', join(work, 'headers.txt'), '-w', '\n%{http_code}', '-X', method, '--max-time', '60'];
  const all = { ...(basic ? { authorization: basic } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers };
  for (const [k, v] of Object.entries(all)) args.push('-H', `${k}: ${v}`);
  if (body !== undefined) args.push('--data-binary', JSON.stringify(body));
  const r = spawnSync('curl', [...args, `http://127.0.0.1:${httpPort}${path}`], { encoding: 'utf8', timeout: 90_000 });
  const text = r.stdout ?? '';
  const cut = text.lastIndexOf('\n');
  const status = Number(text.slice(cut + 1)) || 0;
  let json: any = text.slice(0, cut);
  try {
    json = JSON.parse(json);
  } catch {
    /* the page's HTML */
  }
  const head = existsSync(join(work, 'headers.txt')) ? readFileSync(join(work, 'headers.txt'), 'utf8') : '';
  return { status, json, cookie: /rackcast_session=([^;]+)/i.exec(head)?.[1] ?? null };
}

/** The partitions of the disk image: start and size in bytes, by number. */
function partitions(): { start: number; size: number }[] {
  const table = JSON.parse(sh('sfdisk', ['-J', disk])).partitiontable;
  return table.partitions.map((p: { start: number; size: number }) => ({ start: p.start * 512, size: p.size * 512 }));
}

function newVm(sshPort: number): Vm {
  return new Vm({
    dir: work, sshKey: join(work, 'ssh-key'), sshPort, httpPort, extraForwards: { [icePort]: 8000 }, allowReboot: true,
    bootArgs: [
      '-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`, '-drive', `if=pflash,format=raw,file=${join(work, 'vars.fd')}`,
      '-drive', `file=${disk},if=virtio,format=raw`,
    ],
    // The guest's capture card: an HDA codec whose input is QEMU's ALSA backend on the host's PulseAudio
    // (the ALSA pulse plugin), i.e. the monitor of the null sink the test plays into.
    audioArgs: ['-audiodev', 'alsa,id=snd0,in.dev=pulse,out.dev=null', '-device', 'ich9-intel-hda', '-device', 'hda-duplex,audiodev=snd0'],
    env: { ...process.env, ...pulse.env },
  });
}

/** The newest "setup code" line QEMU's serial console has shown. */
function consoleSetupCode(): string | null {
  const log = existsSync(join(work, 'console.log')) ? readFileSync(join(work, 'console.log'), 'latin1') : '';
  return [...log.matchAll(/rackcast: setup code (\d{4}-\d{4})/g)].at(-1)?.[1] ?? null;
}

function findDeb(): string {
  // The package test's build (test/package/deb.test.ts keeps it in build/test-debs) when it is of this commit.
  const version = `${JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version}~git${sh('git', ['-C', repo, 'rev-list', '--count', 'HEAD']).trim()}.${sh('git', ['-C', repo, 'rev-parse', '--short=8', 'HEAD']).trim()}`;
  const kept = join(repo, 'build/test-debs', `rackcast_${version}_amd64.deb`);
  if (existsSync(kept)) return kept;
  return sh('bash', [join(repo, 'scripts/build-deb'), '--arch', 'amd64', '--out', join(work, 'deb')], { timeoutMs: 900_000 }).trim().split('\n').at(-1)!;
}

test.before(async () => {
  try {
    let t = Date.now();
    const deb = findDeb();
    timings.deb = deb.includes('/build/test-debs/') ? 'reused from deb.test.ts' : `built in ${((Date.now() - t) / 1000).toFixed(0)} s`;
    t = Date.now();
    const built = sh('bash', [join(repo, 'scripts/build-image'), '--arch', 'amd64', '--no-xz', '--deb', deb, '--out', join(work, 'out'), '--work', join(work, 'build')], { timeoutMs: 1_200_000 });
    timings.build_image_s = Math.round((Date.now() - t) / 1000);
    console.log(built.split('\n').filter((l) => l.startsWith('build-image') || l.startsWith('  ')).join('\n'));
    const image = built.trim().split('\n').at(-1)!;
    assert.match(image, /\/rackcast-\d+\.\d+\.\d+~git\d+\.[0-9a-f]{8}-amd64\.img$/);
    assert.ok(existsSync(`${image}.bmap`), 'the .bmap beside the image');
    timings.image_mb = Math.round(statSync(image).size / 1e6);
    // The card: the image written to a 3 GB disk, with an SSH key put on the boot partition as a user would.
    sh('cp', ['--sparse=always', image, disk]);
    rmSync(join(work, 'build'), { recursive: true, force: true });
    rmSync(join(work, 'out'), { recursive: true, force: true });
    sh('truncate', ['-s', '3G', disk]);
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(work, 'ssh-key')]);
    mkdirSync(join(work, 'ssh'));
    copyFileSync(join(work, 'ssh-key.pub'), join(work, 'ssh', 'authorized_keys'));
    sh('mcopy', ['-i', `${disk}@@${partitions()[0]!.start}`, '-s', join(work, 'ssh'), '::ssh']);
    copyFileSync(OVMF_VARS, join(work, 'vars.fd'));

    pulse = await startPulse();
    tone = pulse.play(sinePcm({ freqHz: 1000, seconds: 10, rate: 48000, channels: 2, amplitude: 0.5 }), { rate: 48000, channels: 2 }, { loop: true, latencyMs: 200 });
    httpPort = await freePort();
    icePort = await freePort();
    vm = newVm(await freePort());
    t = Date.now();
    vm.start();
    await waitFor(async () => (await http('GET', '/')).status === 200, { timeoutMs: 300_000, intervalMs: 1000, what: 'the page on the forwarded port 80' });
    timings.first_boot_to_page_s = Math.round((Date.now() - t) / 1000);
    await vm.waitForSsh(120_000);
  } catch (err) {
    console.error('set-up failed:', err);
    throw err;
  }
});

test.after(async () => {
  await tone?.stop();
  await pulse?.stop();
  if (vm) await vm.kill();
  console.log(`image test: ${JSON.stringify(timings)}`);
  // The guest's console and QEMU's messages stay for a look after a failure; the disk does not.
  const keep = join(repo, 'test-output/image');
  mkdirSync(keep, { recursive: true });
  for (const f of ['console.log', 'qemu.stderr']) if (existsSync(join(work, f))) copyFileSync(join(work, f), join(keep, f));
  writeFileSync(join(keep, 'timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
  rmSync(work, { recursive: true, force: true });
});

test('first boot: the console shows the setup code; the page sets the admin password with it', async () => {
  await waitFor(() => consoleSetupCode() !== null, { timeoutMs: 60_000, intervalMs: 1000, what: 'the setup code on the console' });
  const code = (firstCode = consoleSetupCode()!);
  assert.is(vm.ok(['cat', '/var/lib/rackcast/setup-code']).trim(), code, 'the console shows the engine\'s code');
  const session = await http('GET', '/api/session');
  assert.equal([session.json.locked, session.json.setup], [true, true], JSON.stringify(session.json));
  assert.match((await http('GET', '/')).json, /<html/i, 'the page itself');
  // No default password: nothing signs in before the setup.
  basic = `Basic ${Buffer.from('admin:admin').toString('base64')}`;
  assert.is((await http('GET', '/api/encoders')).status, 401);
  basic = '';
  const wrong = code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
  assert.is((await http('POST', '/api/setup', { code: wrong, password: PASSWORD })).status, 401, 'a wrong code');
  const ok = await http('POST', '/api/setup', { code, password: PASSWORD });
  assert.is(ok.status, 200, JSON.stringify(ok.json));
  assert.ok(ok.cookie);
  assert.is((await http('GET', '/api/encoders', undefined, { cookie: `rackcast_session=${ok.cookie}` })).status, 200, 'signed in by the setup');
  basic = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
  assert.is((await http('GET', '/api/encoders')).status, 200, 'the new password');
  assert.is(vm.run(['test', '-e', '/var/lib/rackcast/setup-code']).code, 1, 'the code is used up');
  await waitFor(() => !vm.ok(['cat', '/run/issue.d/50-rackcast.issue']).includes(code), { timeoutMs: 30_000, intervalMs: 1000, what: 'the console\'s screen without the code' });
});

test('the root is read-only; host name, keys and machine-id are the box\'s own; the data partition filled the disk', () => {
  const touch = vm.run(['touch', '/usr/x']);
  assert.is.not(touch.code, 0);
  assert.match(touch.stderr, /Read-only file system/);
  assert.match(vm.ok(['findmnt', '-no', 'OPTIONS', '/']), /^ro,/);
  assert.is(vm.ok(['hostname']).trim(), HOST_NAME);
  assert.match(vm.ok(['cat', '/etc/machine-id']).trim(), /^[0-9a-f]{32}$/);
  firstHostKey = vm.ok(['ssh-keygen', '-lf', '/var/lib/rackcast-system/ssh/ssh_host_ed25519_key.pub']);
  assert.match(firstHostKey, /ED25519/);
  // The front panel's own token, made at the first boot (an x86 box has no panel to run, but the same image logic).
  assert.match(vm.ok(['cat', '/etc/rackcast/panel.env']), /^RACKCAST_API_TOKEN=\S+$/m);
  assert.match(vm.ok(['rackcast', 'token', 'list']), /control\s+front panel/);
  // The data partition: ext4, journalled data, grown from the image's 64 MB to the rest of the 3 GB disk.
  const opts = vm.ok(['findmnt', '-no', 'FSTYPE,OPTIONS', '/var/lib/rackcast']);
  assert.match(opts, /^ext4 rw,.*data=journal/);
  const sizeMb = Number(vm.ok(['df', '--output=size', '-BM', '/var/lib/rackcast']).split('\n')[1]!.replace('M', ''));
  assert.ok(sizeMb > 1200, `data partition ${sizeMb} MB`);
  timings.data_partition_mb = sizeMb;
  assert.is(vm.ok(['stat', '-c', '%U %a', '/var/lib/rackcast']).trim(), 'rackcast 700');
  for (const unit of ['rackcast-engine', 'avahi-daemon', 'systemd-timesyncd', 'systemd-networkd', 'ssh']) {
    assert.is(vm.run(['systemctl', 'is-active', unit]).stdout.trim(), 'active', unit);
  }
  assert.is(vm.ok(['systemctl', '--failed', '--no-legend', '--plain']).trim(), '', 'no unit failed');
  assert.is(vm.run(['test', '-d', '/var/log/journal']).code, 1, 'the journal is in RAM');
});

test('an encoder streams the QEMU sound card, fed from the host\'s PulseAudio, to the guest\'s Icecast', async () => {
  const cards = vm.ok(['cat', '/proc/asound/cards']);
  assert.match(cards, /^ 0 \[/m, cards);
  const capture = await http('PUT', '/api/capture', { device: 'plughw:0,0', sample_rate: 48000, channels: 2 });
  assert.is(capture.status, 200, JSON.stringify(capture.json));
  vm.ok(['systemctl', 'start', 'rackcast-icecast.service']);
  const password = /<source-password>([A-Za-z0-9]{16,})<\/source-password>/.exec(vm.ok(['cat', '/etc/rackcast/icecast.xml']))?.[1];
  assert.ok(password, 'the box\'s own Icecast source password');
  await waitFor(() => vm.run(['curl', '-sf', 'http://127.0.0.1:8000/status-json.xsl']).code === 0, { timeoutMs: 60_000, intervalMs: 1000, what: 'Icecast' });
  const created = await http('POST', '/api/encoders', {
    name: 'Main MP3', codec: 'mp3', bitrate_kbps: 128, output_type: 'icecast', server_host: '127.0.0.1', server_port: 8000,
    server_password: password, mount_point: '/live.mp3',
  });
  assert.is(created.status, 201, JSON.stringify(created.json));
  ids.mp3 = created.json.id;
  assert.is((await http('POST', `/api/encoders/${ids.mp3}/start`)).status, 200);
  await waitFor(async () => (await http('GET', `/api/encoders/${ids.mp3}/status`)).json?.state === 'streaming', { timeoutMs: 120_000, intervalMs: 1000, what: 'streaming' });
  const pcm = await decodeToPcm(`http://127.0.0.1:${icePort}/live.mp3`, { seconds: 4, rate: 48000, channels: 1, timeoutMs: 60_000 });
  const samples = channelSamples(pcm, 1).subarray(48000);
  const hz = dominantFrequency(samples, 48000);
  assert.ok(Math.abs(hz - 1000) < 15, `dominant ${hz} Hz`);
  assert.ok(rms(samples) > 0.05, `rms ${rms(samples)}`);
  timings.stream_dominant_hz = Math.round(hz);
});

test('power cut 20 s into a WAV recording: fsck passes, the file is repaired to within 2 s, the database is intact', async () => {
  const rec = await http('PUT', '/api/recording', { recordings_dir: '/var/lib/rackcast/recordings', recordings_removable: false });
  assert.is(rec.status, 200, JSON.stringify(rec.json));
  const created = await http('POST', '/api/encoders', { name: 'Logger', codec: 'wav', output_type: 'file', file_rotation: 'none', file_output_path: 'logger' });
  assert.is(created.status, 201, JSON.stringify(created.json));
  ids.wav = created.json.id;
  assert.is((await http('POST', `/api/encoders/${ids.wav}/start`)).status, 200);
  let recorded = 0;
  const recordedSecs = async (): Promise<number> => (recorded = (await http('GET', `/api/encoders/${ids.wav}/recording`)).json?.recorded_secs ?? 0);
  await waitFor(async () => (await recordedSecs()) >= 1, { timeoutMs: 120_000, intervalMs: 250, what: 'the recording under way' });
  // The file being written at the cut (after the boot the logger, still on air, starts a new one beside it).
  const file = vm.ok(['find', '/var/lib/rackcast/recordings', '-name', '*.wav']).trim();
  assert.match(file, /^\/var\/lib\/rackcast\/recordings\/\S+\.wav$/, 'one WAV file being recorded');
  await waitFor(async () => (await recordedSecs()) >= 20, { timeoutMs: 120_000, intervalMs: 250, what: '20 s recorded' });
  await vm.kill();
  timings.recorded_at_cut_s = recorded;

  const t = Date.now();
  vm.start();
  await waitFor(async () => (await http('GET', '/api/encoders')).status === 200, { timeoutMs: 300_000, intervalMs: 1000, what: 'the engine after the power cut' });
  timings.boot_after_cut_to_api_s = Math.round((Date.now() - t) / 1000);
  await vm.waitForSsh(120_000);
  const fsck = vm.ok(['systemctl', 'show', '-p', 'Result', '-p', 'ExecMainStatus', 'systemd-fsck@dev-disk-by\\x2dlabel-RACKDATA.service']);
  assert.match(fsck, /Result=success/, fsck);
  assert.not.match(vm.ok(['dmesg']), /EXT4-fs error/);
  // The engine repairs what it left open when it starts (its open-file register): a WAV whose header says its length.
  await waitFor(() => Number(vm.ok(['od', '-An', '-tu4', '-j4', '-N4', file]).trim()) === Number(vm.ok(['stat', '-c', '%s', file]).trim()) - 8,
    { timeoutMs: 60_000, intervalMs: 1000, what: `${file} repaired (RIFF size = file size - 8)` });
  const duration = Number(vm.ok(['ffprobe', '-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]).trim());
  timings.wav_after_cut_s = duration;
  assert.ok(Math.abs(duration - recorded) <= 2, `the file plays ${duration} s; ${recorded} s were recorded at the cut`);
  const decode = vm.run(['ffmpeg', '-v', 'error', '-i', file, '-f', 'null', '-']);
  assert.is(decode.code, 0, decode.stderr);
  assert.is(decode.stderr.trim(), '', 'decodes without an error');
  const check = vm.ok(['runuser', '-u', 'rackcast', '--', 'node', '-e',
    "const D = require('/opt/rackcast/node_modules/better-sqlite3'); console.log(new D('/var/lib/rackcast/rackcast.db', { readonly: true }).pragma('integrity_check', { simple: true }))"]);
  assert.is(check.trim(), 'ok');
  const names = (await http('GET', '/api/encoders')).json.map((e: { name: string }) => e.name).sort();
  assert.equal(names, ['Logger', 'Main MP3']);
});

test('a reboot keeps the encoders; without a key on the boot partition SSH is off', async () => {
  vm.ok(['rm', '/boot/firmware/ssh/authorized_keys']);
  vm.run(['systemctl', 'reboot'], undefined, 10_000);
  await waitFor(async () => (await http('GET', '/api/health')).status === 0, { timeoutMs: 120_000, intervalMs: 500, what: 'the box going down' });
  const t = Date.now();
  await waitFor(async () => (await http('GET', '/')).status === 200, { timeoutMs: 300_000, intervalMs: 1000, what: 'the page after the reboot' });
  timings.reboot_to_page_s = Math.round((Date.now() - t) / 1000);
  await waitFor(async () => (await http('GET', '/api/encoders')).status === 200, { timeoutMs: 120_000, intervalMs: 1000, what: 'the API after the reboot' });
  const names = (await http('GET', '/api/encoders')).json.map((e: { name: string }) => e.name).sort();
  assert.equal(names, ['Logger', 'Main MP3']);
  await sleep(5000);
  const ssh = vm.run(['true'], undefined, 20_000);
  assert.is.not(ssh.code, 0, 'SSH refused');
});

test('after a clean power-off the root and data filesystems are clean (e2fsck -fn on the host)', async () => {
  await vm.monitorCommand('system_powerdown');
  assert.ok(await vm.waitForExit(120_000), 'QEMU powered off');
  const parts = partitions();
  for (const [label, p] of [['root', parts[1]!], ['data', parts[2]!]] as const) {
    const fs = join(work, `${label}.fs`);
    sh('dd', [`if=${disk}`, `of=${fs}`, 'bs=1M', `skip=${p.start / 1048576}`, `count=${p.size / 1048576}`, 'conv=sparse', 'status=none']);
    const r = spawnSync('e2fsck', ['-fn', fs], { encoding: 'utf8' });
    assert.is(r.status, 0, `${label}: ${r.stdout}${r.stderr}`);
    rmSync(fs);
  }
});

test('factory reset: a file on the boot partition makes the data partition anew at the next boot', async () => {
  const boot = `${disk}@@${partitions()[0]!.start}`;
  writeFileSync(join(work, 'rackcast-factory-reset'), '');
  sh('mcopy', ['-i', boot, join(work, 'rackcast-factory-reset'), '::rackcast-factory-reset']);
  sh('mcopy', ['-o', '-i', boot, join(work, 'ssh', 'authorized_keys'), '::ssh/authorized_keys']);
  const t = Date.now();
  vm.start();
  await waitFor(async () => (await http('GET', '/')).status === 200, { timeoutMs: 300_000, intervalMs: 1000, what: 'the page after the reset' });
  timings.reset_boot_to_page_s = Math.round((Date.now() - t) / 1000);
  await waitFor(() => consoleSetupCode() !== null, { timeoutMs: 60_000, intervalMs: 1000, what: 'a setup code on the console again' });
  const code = consoleSetupCode()!;
  assert.is.not(code, firstCode, 'a new code');
  basic = '';
  assert.equal((await http('GET', '/api/session')).json.setup, true, 'the box asks to be set up again');
  assert.is((await http('POST', '/api/setup', { code, password: PASSWORD })).status, 200);
  basic = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
  assert.equal((await http('GET', '/api/encoders')).json, [], 'no encoders');
  await vm.waitForSsh(120_000);
  assert.is(vm.run(['test', '-e', '/boot/firmware/rackcast-factory-reset']).code, 1, 'the request is used up');
  assert.is.not(vm.ok(['ssh-keygen', '-lf', '/var/lib/rackcast-system/ssh/ssh_host_ed25519_key.pub']), firstHostKey, 'new SSH host keys');
  const sizeMb = Number(vm.ok(['df', '--output=size', '-BM', '/var/lib/rackcast']).split('\n')[1]!.replace('M', ''));
  assert.ok(sizeMb > 1200, `grown again: ${sizeMb} MB`);
  assert.is(vm.ok(['systemctl', 'show', '-p', 'Result', 'rackcast-factory-reset.service']).trim(), 'Result=success');
});

test.run();
