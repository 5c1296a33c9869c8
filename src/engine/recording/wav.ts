// The WAV container, written by Node itself: the header is rewritten with the real sizes on every write,
// so a file cut by a power failure plays up to its last flush, and a file left open by a crash is repaired
// at start from its length. 16-bit PCM uses the plain 44-byte header; 32-bit uses WAVE_FORMAT_EXTENSIBLE,
// which players need for more than 16 bits.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { bytesPerFrame, type PcmFormat } from '../types.js';

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
// KSDATAFORMAT_SUBTYPE_PCM: 00000001-0000-0010-8000-00aa00389b71
const PCM_SUBTYPE = Buffer.from('0100000000001000800000aa00389b71', 'hex');

/** RIFF sizes are 32-bit, and FAT32 cannot hold a file of 4 GiB: every WAV file stays below this. */
export const WAV_MAX_FILE_BYTES = 2 ** 32 - 2 ** 20;

export function wavHeaderBytes(format: PcmFormat): number {
  return format.sampleFormat === 'S16_LE' ? 44 : 68;
}

/** The largest data chunk (whole frames) a file of at most `maxFileBytes` can hold. */
export function wavMaxFrames(format: PcmFormat, maxFileBytes: number): number {
  const limit = Math.min(maxFileBytes, WAV_MAX_FILE_BYTES);
  return Math.max(1, Math.floor((limit - wavHeaderBytes(format)) / bytesPerFrame(format)));
}

/** The complete header for `dataBytes` bytes of PCM. */
export function wavHeader(format: PcmFormat, dataBytes: number): Buffer {
  const headerBytes = wavHeaderBytes(format);
  const bits = format.sampleFormat === 'S16_LE' ? 16 : 32;
  const blockAlign = bytesPerFrame(format);
  const h = Buffer.alloc(headerBytes);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(headerBytes - 8 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  const extensible = bits !== 16;
  h.writeUInt32LE(extensible ? 40 : 16, 16);
  h.writeUInt16LE(extensible ? WAVE_FORMAT_EXTENSIBLE : WAVE_FORMAT_PCM, 20);
  h.writeUInt16LE(format.channels, 22);
  h.writeUInt32LE(format.sampleRate, 24);
  h.writeUInt32LE(format.sampleRate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(bits, 34);
  let at = 36;
  if (extensible) {
    h.writeUInt16LE(22, 36); // cbSize
    h.writeUInt16LE(bits, 38); // valid bits per sample
    h.writeUInt32LE(format.channels === 1 ? 0x4 : 0x3, 40); // front centre / front left+right
    PCM_SUBTYPE.copy(h, 44);
    at = 60;
  }
  h.write('data', at, 'ascii');
  h.writeUInt32LE(dataBytes, at + 4);
  return h;
}

export interface WavLayout {
  /** Offset of the first PCM byte. */
  dataOffset: number;
  /** The data size the header claims. */
  dataBytes: number;
  blockAlign: number;
}

/** Finds the fmt and data chunks in the start of a RIFF/WAVE file; null if it is not one. */
export function parseWavLayout(head: Buffer): WavLayout | null {
  if (head.length < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return null;
  let at = 12;
  let blockAlign = 0;
  while (at + 8 <= head.length) {
    const id = head.toString('ascii', at, at + 4);
    const size = head.readUInt32LE(at + 4);
    if (id === 'fmt ' && at + 8 + 14 <= head.length) blockAlign = head.readUInt16LE(at + 8 + 12);
    if (id === 'data') return blockAlign > 0 ? { dataOffset: at + 8, dataBytes: size, blockAlign } : null;
    at += 8 + size + (size % 2);
  }
  return null;
}

export interface RepairResult {
  /** false: the header already matched the file. */
  repaired: boolean;
  dataBytes: number;
}

/** repairWavFile on the file at `path` (never through a link at its name; a FIFO cannot hang the open). */
export async function repairWav(path: string): Promise<RepairResult | null> {
  const fh = await open(path, constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!(await fh.stat()).isFile()) return null;
    return await repairWavFile(fh);
  } finally {
    await fh.close();
  }
}

/**
 * Makes a WAV file left open (power cut, crash, pulled drive) valid again: the sizes in the header are
 * set from the file's length, and a trailing partial frame is cut off. null if the file is not a WAV file.
 * The caller opened `fh` (read and write) and closes it.
 */
export async function repairWavFile(fh: FileHandle): Promise<RepairResult | null> {
  const head = Buffer.alloc(4096);
  const { bytesRead } = await fh.read(head, 0, head.length, 0);
  const layout = parseWavLayout(head.subarray(0, bytesRead));
  if (!layout) return null;
  const { size } = await fh.stat();
  const available = Math.max(0, size - layout.dataOffset);
  const limit = 2 ** 32 - 1 - (layout.dataOffset - 8);
  const dataBytes = Math.min(limit, available) - (Math.min(limit, available) % layout.blockAlign);
  const riffBytes = layout.dataOffset - 8 + dataBytes;
  if (dataBytes === layout.dataBytes && head.readUInt32LE(4) === riffBytes && size === layout.dataOffset + dataBytes) {
    return { repaired: false, dataBytes };
  }
  if (size > layout.dataOffset + dataBytes) await fh.truncate(layout.dataOffset + dataBytes);
  const riff = Buffer.alloc(4);
  riff.writeUInt32LE(riffBytes);
  await fh.write(riff, 0, 4, 4);
  const data = Buffer.alloc(4);
  data.writeUInt32LE(dataBytes);
  await fh.write(data, 0, 4, layout.dataOffset - 4);
  await fh.sync();
  return { repaired: true, dataBytes };
}
