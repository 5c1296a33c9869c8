// A QEMU virtual machine running the Debian 13 image of build-image: Debian's kernel, systemd as PID 1,
// udev and a USB controller, reached over SSH through QEMU's user network (loopback port forwards only).
// Software emulation (TCG): this machine has no KVM.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';

export interface VmOptions {
  dir: string;            // holds disk.img, vmlinuz, initrd.img
  sshKey: string;         // private key whose public half is root's authorized key in the image
  sshPort: number;        // host loopback port forwarded to the guest's 22
  httpPort: number;       // host loopback port forwarded to the guest's 80
  memoryMb?: number;
  /** More host loopback ports forwarded to guest ports: { hostPort: guestPort }. */
  extraForwards?: Record<number, number>;
  /** Raw disk images QEMU keeps ready to plug in as USB sticks (device_add usb-storage,drive=ID). */
  usbDrives?: Record<string, string>;
  /** Instead of vmlinuz, initrd.img and disk.img in dir: the boot and disk arguments (a whole disk image with its own loader). */
  bootArgs?: string[];
  /** Instead of the playback-only USB sound card: the audio arguments. */
  audioArgs?: string[];
  /** QEMU's environment (an ALSA backend's PulseAudio server, say). */
  env?: NodeJS.ProcessEnv;
  /** Let the guest reboot in the same QEMU process (default: a reboot ends QEMU). */
  allowReboot?: boolean;
}

export interface RunResult { code: number; stdout: string; stderr: string }

export class Vm {
  private qemu: ChildProcess | null = null;
  private readonly monitor: string;

  constructor(readonly opts: VmOptions) {
    this.monitor = join(opts.dir, 'monitor.sock');
  }

  start(): void {
    const { dir, sshPort, httpPort } = this.opts;
    const extra = Object.entries(this.opts.extraForwards ?? {}).map(([h, g]) => `,hostfwd=tcp:127.0.0.1:${h}-:${g}`).join('');
    const args = [
      '-machine', 'q35', '-accel', 'tcg,thread=multi', '-smp', '2', '-m', String(this.opts.memoryMb ?? 2048),
      '-nographic', ...(this.opts.allowReboot ? [] : ['-no-reboot']),
      ...(this.opts.bootArgs ?? [
        '-kernel', join(dir, 'vmlinuz'), '-initrd', join(dir, 'initrd.img'),
        '-append', 'root=/dev/vda rw console=ttyS0 panic=-1 systemd.show_status=false',
        '-drive', `file=${join(dir, 'disk.img')},if=virtio,format=raw,cache=unsafe`,
      ]),
      '-netdev', `user,id=net0,hostfwd=tcp:127.0.0.1:${sshPort}-:22,hostfwd=tcp:127.0.0.1:${httpPort}-:80${extra}`,
      '-device', 'virtio-net-pci,netdev=net0',
      '-device', 'qemu-xhci,id=xhci',
      // A USB sound card (QEMU's usb-audio, playback only), for the udev name and ALSA's default.
      ...(this.opts.audioArgs ?? ['-audiodev', 'none,id=snd0', '-device', 'usb-audio,audiodev=snd0,bus=xhci.0']),
      '-monitor', `unix:${this.monitor},server,nowait`,
      '-serial', `file:${join(dir, 'console.log')}`,
    ];
    for (const [id, file] of Object.entries(this.opts.usbDrives ?? {})) {
      args.push('-drive', `if=none,id=${id},format=raw,file=${file},cache=writethrough`);
    }
    this.qemu = spawn('qemu-system-x86_64', args, { env: this.opts.env ?? process.env, stdio: ['ignore', 'ignore', openSync(join(dir, 'qemu.stderr'), 'w')] });
  }

  /** True once QEMU has exited (the guest powered off), false if it still runs after timeoutMs. */
  async waitForExit(timeoutMs: number): Promise<boolean> {
    const q = this.qemu;
    if (!q || q.exitCode !== null || q.signalCode !== null) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      q.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** A power cut: QEMU is killed (SIGKILL), nothing in the guest is told. */
  async kill(): Promise<void> {
    const q = this.qemu;
    if (!q || q.exitCode !== null || q.signalCode !== null) return;
    const exited = new Promise<void>((r) => q.once('exit', () => r()));
    q.kill('SIGKILL');
    await exited;
  }

  /** Runs argv in the guest as root (ssh joins it into one command line for the guest's shell). */
  run(argv: string[], input?: string, timeoutMs = 120_000): RunResult {
    const quoted = argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
    const r = spawnSync('ssh', [
      '-i', this.opts.sshKey, '-p', String(this.opts.sshPort),
      '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
      '-o', 'ConnectTimeout=10', '-o', 'BatchMode=yes', 'root@127.0.0.1', quoted,
    ], { input, encoding: 'utf8', timeout: timeoutMs });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
  }

  /** Like run, but throws with the output when the command fails. */
  ok(argv: string[], input?: string, timeoutMs?: number): string {
    const r = this.run(argv, input, timeoutMs);
    if (r.code !== 0) throw new Error(`guest: ${argv.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  scp(local: string, remote: string): void {
    const r = spawnSync('scp', [
      '-i', this.opts.sshKey, '-P', String(this.opts.sshPort), '-o', 'StrictHostKeyChecking=no',
      '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes', local, `root@127.0.0.1:${remote}`,
    ], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`scp ${local}: ${r.stderr}`);
  }

  async waitForSsh(timeoutMs: number): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      if (this.qemu?.exitCode !== null) throw new Error(`qemu exited (${this.qemu?.exitCode}); see ${this.opts.dir}/console.log`);
      if (this.run(['true'], undefined, 15_000).code === 0) return Date.now() - started;
      await new Promise((r) => setTimeout(r, 2000));
    }
    throw new Error(`no SSH to the guest within ${timeoutMs / 1000} s; see ${this.opts.dir}/console.log`);
  }

  /** One line to QEMU's human monitor (device_add, device_del...). */
  monitorCommand(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const sock = createConnection(this.monitor);
      let out = '';
      sock.on('data', (d) => {
        out += d.toString();
      });
      sock.on('error', reject);
      sock.on('connect', () => {
        sock.write(`${line}\n`);
        setTimeout(() => {
          sock.end();
          resolve(out);
        }, 1000);
      });
    });
  }

  async stop(): Promise<void> {
    const q = this.qemu;
    if (!q || q.exitCode !== null) return;
    this.run(['systemctl', 'poweroff'], undefined, 10_000);
    const exited = new Promise<void>((r) => q.once('exit', () => r()));
    const timer = setTimeout(() => q.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
  }
}
