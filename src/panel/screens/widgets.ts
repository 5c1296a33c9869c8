// Pieces the screens share: the title bar, level bars and the message box.
import { Framebuffer, WIDTH } from '../framebuffer.js';
import { drawText, drawTextCentered, fit, drawTextRight, ADVANCE } from '../font.js';
import type { PanelLevel } from '../api-types.js';

/** An inverted bar across the top (rows 0-8) with `left` text and optional `right` text. */
export function titleBar(fb: Framebuffer, left: string, right = ''): void {
  fb.fillRect(0, 0, WIDTH, 9);
  const rightChars = [...right].length;
  const room = Math.floor((WIDTH - 2) / ADVANCE) - (rightChars ? rightChars + 1 : 0);
  drawText(fb, 1, 1, fit(left, room), { invert: true });
  if (right) drawTextRight(fb, WIDTH - 1, 1, right, { invert: true });
}

export const METER_FLOOR_DBFS = -60;

/** Dots of a bar `width` long for `dbfs` on a -60..0 dBFS scale. */
export function meterDots(dbfs: number, width: number): number {
  const clamped = Math.max(METER_FLOOR_DBFS, Math.min(0, dbfs));
  return Math.round(((clamped - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS) * width);
}

/**
 * Level bars in the box (x, y, w, h): one per channel, the RMS level filled and the peak as a
 * two-dot tick, with a scale mark every 10 dB under the bars.
 */
export function levelBars(fb: Framebuffer, levels: readonly PanelLevel[], x: number, y: number, w: number, h: number): void {
  const channels = levels.slice(0, 2);
  if (channels.length === 0) return;
  const gap = 1;
  const barH = Math.floor((h - 1 - gap * (channels.length - 1)) / channels.length);
  channels.forEach((level, i) => {
    const top = y + i * (barH + gap);
    fb.fillRect(x, top, meterDots(level.rmsDbfs, w), barH);
    const peak = meterDots(level.peakDbfs, w);
    if (peak > 0) fb.fillRect(x + Math.min(w - 2, peak - 1), top, 2, barH);
  });
  const scaleY = y + h - 1;
  for (let db = METER_FLOOR_DBFS; db <= 0; db += 10) fb.set(x + Math.min(w - 1, meterDots(db, w)), scaleY);
}

/** A framed message box across the middle of the screen, one to three lines of up to 19 characters. */
export function messageBox(fb: Framebuffer, lines: readonly string[]): void {
  const shown = lines.slice(0, 3).map((l) => fit(l, 19));
  const h = shown.length * 9 + 7;
  const y = Math.floor((64 - h) / 2);
  fb.fillRect(0, y - 2, WIDTH, h + 4, false);
  fb.rect(1, y, WIDTH - 2, h);
  fb.rect(2, y + 1, WIDTH - 4, h - 2);
  shown.forEach((line, i) => drawTextCentered(fb, y + 4 + i * 9, line));
}

/** "1h 02m", "5m 07s", "42s". */
export function duration(secs: number): string {
  const s = Math.max(0, Math.floor(secs));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h >= 24) return `${Math.floor(h / 24)}d ${h % 24}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** "812 B", "12.3 kB", "4.1 MB", "1.2 GB". */
export function bytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v < 100 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** Listener counts in at most four characters. */
export function listenersShort(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 1_000_000) return `${Math.floor(n / 1000)}k`;
  return '1M+';
}
