// The box's ALSA devices, as an operator picks them: the PCM names ALSA itself lists (`arecord -L`,
// `aplay -L`: `hw:CARD=Headphones,DEV=0`, `plughw:…`, `default`, named PCMs from asound.conf), with the
// card's own description, the channels and rates the card reports and whether it is open now
// (/proc/asound). The parsers are pure and tested on recorded outputs; listDevices() runs the two
// commands (argv, no shell) and reads /proc.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export type Direction = 'input' | 'output';

export interface AudioDevice {
  /** What to put in `device`: the ALSA PCM name. */
  name: string;
  /** ALSA's own words for it (first line of its description). */
  description: string;
  /** The card it belongs to (`Headphones`, `CODEC`), null for plugins and `default`. */
  card: string | null;
  /** The card's long name from /proc/asound/cards ("USB Audio CODEC"), when known. */
  card_description: string | null;
  /** hw: the device as it is; plughw: with conversions; other: default, plugins, named PCMs. */
  kind: 'hw' | 'plughw' | 'other';
  /** What the card reports for this direction (USB cards do, in /proc/asound/cardN/stream0), else null. */
  channels: number[] | null;
  rates: number[] | null;
  /** A PCM of the card is open in this direction right now (by RackCast or anything else). */
  in_use: boolean;
}

export interface DeviceList {
  inputs: AudioDevice[];
  outputs: AudioDevice[];
}

interface HintEntry {
  name: string;
  lines: string[];
}

/** `aplay -L` / `arecord -L`: a name at the start of a line, its description indented below. */
export function parseDeviceHints(text: string): HintEntry[] {
  const out: HintEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (!line.trim()) continue;
    if (/^\s/.test(line)) out.at(-1)?.lines.push(line.trim());
    else out.push({ name: line.trim(), lines: [] });
  }
  return out;
}

export interface CardInfo {
  index: number;
  /** The id in brackets, what `CARD=` names. */
  id: string;
  driver: string;
  name: string;
  longName: string;
}

/** /proc/asound/cards: " 1 [CODEC          ]: USB-Audio - USB Audio CODEC" and its long name below. */
export function parseCards(text: string): CardInfo[] {
  const cards: CardInfo[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i]!.match(/^\s*(\d+)\s+\[([^\]]+)\]:\s*(\S+)\s+-\s+(.*)$/);
    if (!m) continue;
    const next = lines[i + 1] ?? '';
    cards.push({ index: Number(m[1]), id: m[2]!.trim(), driver: m[3]!, name: m[4]!.trim(), longName: /^\s{2,}\S/.test(next) ? next.trim() : m[4]!.trim() });
  }
  return cards;
}

export interface StreamCaps {
  channels: number[];
  rates: number[];
}

/**
 * /proc/asound/cardN/stream0 (USB audio): a "Playback:" and a "Capture:" section, each with one
 * or more altsets listing "Channels: 2" and "Rates: 44100, 48000" (or "Rates: 8000 - 96000 (continuous)").
 */
export function parseUsbStream(text: string): Partial<Record<Direction, StreamCaps>> {
  const out: Partial<Record<Direction, StreamCaps>> = {};
  let current: Direction | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (/^Playback:/.test(line)) current = 'output';
    else if (/^Capture:/.test(line)) current = 'input';
    if (!current) continue;
    const caps = (out[current] ??= { channels: [], rates: [] });
    const ch = line.match(/^Channels:\s*(\d+)/);
    if (ch && !caps.channels.includes(Number(ch[1]))) caps.channels.push(Number(ch[1]));
    const rates = line.match(/^Rates:\s*(.*)$/);
    if (rates) {
      const range = rates[1]!.match(/^(\d+)\s*-\s*(\d+)/);
      const list = range ? [Number(range[1]), Number(range[2])] : rates[1]!.split(',').map((r) => Number(r.trim())).filter((n) => n > 0);
      for (const r of list) if (!caps.rates.includes(r)) caps.rates.push(r);
    }
  }
  for (const caps of Object.values(out)) {
    caps.channels.sort((a, b) => a - b);
    caps.rates.sort((a, b) => a - b);
  }
  return out;
}

/** A /proc/asound/cardN/pcmDx/subK/status: "closed" when nothing has it open. */
export function statusIsOpen(text: string): boolean {
  return text.trim() !== '' && text.trim() !== 'closed';
}

export interface ProcCard {
  info: CardInfo;
  caps: Partial<Record<Direction, StreamCaps>>;
  /** Devices (DEV=) with an open substream, per direction. */
  open: Record<Direction, Set<number>>;
}

function cardOf(name: string): { card: string | null; dev: number | null; kind: AudioDevice['kind'] } {
  const m = name.match(/^(hw|plughw|sysdefault|front|dsnoop|dmix|surround\d+|iec958|hdmi|usbstream):(?:CARD=)?([^,]+)(?:,DEV=(\d+))?/);
  if (!m) return { card: null, dev: null, kind: 'other' };
  const kind = m[1] === 'hw' ? 'hw' : m[1] === 'plughw' ? 'plughw' : 'other';
  return { card: m[2]!, dev: m[3] !== undefined ? Number(m[3]) : 0, kind };
}

/** Joins ALSA's hint list with what /proc says about each card. `null` is left out: it is no device. */
export function buildDevices(hints: HintEntry[], direction: Direction, cards: ProcCard[]): AudioDevice[] {
  const out: AudioDevice[] = [];
  for (const h of hints) {
    if (h.name === 'null') continue;
    const { card, dev, kind } = cardOf(h.name);
    const pc = card === null ? undefined : cards.find((c) => c.info.id === card || String(c.info.index) === card);
    const caps = pc?.caps[direction];
    out.push({
      name: h.name,
      description: h.lines[0] ?? h.name,
      card: pc?.info.id ?? card,
      card_description: pc ? pc.info.longName : null,
      kind,
      channels: caps?.channels.length ? caps.channels : null,
      rates: caps?.rates.length ? caps.rates : null,
      in_use: pc !== undefined && dev !== null && pc.open[direction].has(dev),
    });
  }
  return out;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/** Every card in /proc/asound (a box without sound cards has none, or no /proc/asound at all). */
export async function readProcCards(root = '/proc/asound'): Promise<ProcCard[]> {
  const infos = parseCards(await readText(join(root, 'cards')));
  return Promise.all(
    infos.map(async (info) => {
      const dir = join(root, `card${info.index}`);
      const entries = await readdir(dir).catch(() => [] as string[]);
      const open: Record<Direction, Set<number>> = { input: new Set(), output: new Set() };
      for (const entry of entries) {
        const m = entry.match(/^pcm(\d+)([pc])$/);
        if (!m) continue;
        const subs = (await readdir(join(dir, entry)).catch(() => [] as string[])).filter((s) => /^sub\d+$/.test(s));
        for (const sub of subs) {
          if (statusIsOpen(await readText(join(dir, entry, sub, 'status')))) open[m[2] === 'p' ? 'output' : 'input'].add(Number(m[1]));
        }
      }
      return { info, caps: parseUsbStream(await readText(join(dir, 'stream0'))), open };
    }),
  );
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv | undefined): Promise<string> {
  return new Promise((resolve) => {
    execFile(command, args, { env: env ?? process.env, timeout: 5000, maxBuffer: 1024 * 1024 }, (err, stdout) => resolve(err && !stdout ? '' : stdout));
  });
}

export interface ListOptions {
  /** Environment for aplay/arecord (the capture's, so PulseAudio-backed PCMs in tests list the same). */
  env?: NodeJS.ProcessEnv;
  procRoot?: string;
}

export async function listDevices(opts: ListOptions = {}): Promise<DeviceList> {
  const [inText, outText, cards] = await Promise.all([
    run(process.env.RACKCAST_ARECORD || 'arecord', ['-L'], opts.env),
    run(process.env.RACKCAST_APLAY || 'aplay', ['-L'], opts.env),
    readProcCards(opts.procRoot),
  ]);
  return { inputs: buildDevices(parseDeviceHints(inText), 'input', cards), outputs: buildDevices(parseDeviceHints(outText), 'output', cards) };
}
