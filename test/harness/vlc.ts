// VLC as a listener: what an engineer on the LAN opens the live listen URL with. cvlc fetches the URL,
// decodes it and writes the audio to a WAV file (mono S16 at 48 kHz) for `seconds`, and the test reads
// the samples. VLC refuses to run as root, so under root it runs as nobody (runuser, no shell).
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, removeOnExit, spawnTracked, tailOf } from './util.js';

/** Mono S16LE samples at 48 kHz of what VLC played from `url` in about `seconds`. */
export async function decodeWithVlc(url: string, seconds: number): Promise<Int16Array> {
  const dir = mkdtempSync(join(tmpdir(), 'rackcast-vlc-'));
  removeOnExit(dir);
  chmodSync(dir, 0o777);
  const out = join(dir, 'heard.wav');
  const vlc = ['cvlc', '-I', 'dummy', '--no-video', '--network-caching=300', url, '--sout', `#transcode{acodec=s16l,channels=1,samplerate=48000}:std{access=file,mux=wav,dst=${out}}`, `--run-time=${seconds}`, 'vlc://quit'];
  const [command, ...args] = process.getuid?.() === 0 ? ['runuser', '-u', 'nobody', '--', ...vlc] : vlc;
  const child = spawnTracked(command!, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HOME: dir } });
  const stderr = tailOf(child.stderr, 4096);
  const timer = setTimeout(() => child.kill('SIGKILL'), seconds * 1000 + 15_000);
  const code = await exited(child);
  clearTimeout(timer);
  let wav: Buffer;
  try {
    wav = readFileSync(out);
  } catch {
    throw new Error(`VLC wrote no file (exit ${code}): ${stderr().trim()}`);
  }
  const data = wav.indexOf('data');
  if (data < 0) throw new Error(`VLC's file has no WAV data chunk (${wav.length} bytes, exit ${code}): ${stderr().trim()}`);
  const pcm = wav.subarray(data + 8);
  return new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + (pcm.length - (pcm.length % 2))));
}
