// A 5x7 bitmap font (the classic LCD character-generator shapes, ASCII 32-126 plus a few symbols the
// engine's texts use) and text drawing. Each glyph is five column bytes, bit 0 at the top; g, j, p,
// q and y reach into an eighth row (bit 7) so that "g" does not read as "9". Drawn at
// scale 2 (10x14 dots) for the words read from across the rack, at scale 1 (21 characters a line)
// for details. Every character advances 6 dots per scale (one blank column).
import type { Framebuffer } from './framebuffer.js';

export const GLYPH_W = 5;
export const GLYPH_H = 7;
/** Rows a glyph may use, descenders included: a text line is this tall. */
export const GLYPH_ROWS = 8;
export const ADVANCE = GLYPH_W + 1;
export const LINE_H = 8;

// prettier-ignore
const ASCII = [
  '0000000000', '00005f0000', '0007000700', '147f147f14', '242a7f2a12', '2313086462', '3649552250', '0005030000', // space ! " # $ % & '
  '001c224100', '0041221c00', '14083e0814', '08083e0808', '0050300000', '0808080808', '0060600000', '2010080402', // ( ) * + , - . /
  '3e5149453e', '00427f4000', '4261514946', '2141454b31', '1814127f10', '2745454539', '3c4a494930', '0171090503', // 0-7
  '3649494936', '064949291e', '0036360000', '0056360000', '0814224100', '1414141414', '0041221408', '0201510906', // 8 9 : ; < = > ?
  '324979413e', '7e1111117e', '7f49494936', '3e41414122', '7f4141221c', '7f49494941', '7f09090901', '3e4149497a', // @ A-G
  '7f0808087f', '00417f4100', '2040413f01', '7f08142241', '7f40404040', '7f020c027f', '7f0408107f', '3e4141413e', // H-O
  '7f09090906', '3e4151215e', '7f09192946', '4649494931', '01017f0101', '3f4040403f', '1f2040201f', '3f4038403f', // P-W
  '6314081463', '0708700807', '6151494543', '007f414100', '0204081020', '0041417f00', '0402010204', '4040404040', // X Y Z [ \ ] ^ _
  '0001020400', '2054545478', '7f48444438', '3844444420', '384444487f', '3854545418', '087e090102', '18a4a4a47c', // ` a-g
  '7f08040478', '00447d4000', '4080847d00', '7f10284400', '00417f4000', '7c04180478', '7c08040478', '3844444438', // h-o
  'fc24242418', '18242418fc', '7c08040408', '4854545420', '043f444020', '3c4040207c', '1c2040201c', '3c4030403c', // p-w
  '4428102844', '1ca0a0a07c', '4464544c44', '0008364100', '00007f0000', '0041360800', '1008081008',                // x y z { | } ~
];

const EXTRA: Record<string, string> = {
  '∞': '1824182418',
  '…': '4000400040',
  '°': '0006090600',
  '▲': '10181c1810', // menu arrows and the selection marker
  '▼': '040c1c0c04',
  '▶': '007f3e1c08',
  '●': '1c3e3e3e1c',
};

const FALLBACK = '0201510906'; // '?'

const glyphs = new Map<string, Uint8Array>();
ASCII.forEach((hex, i) => glyphs.set(String.fromCharCode(32 + i), Buffer.from(hex, 'hex')));
for (const [ch, hex] of Object.entries(EXTRA)) glyphs.set(ch, Buffer.from(hex, 'hex'));

/** Five column bytes for a character; characters the font lacks draw as '?'. */
export function glyph(ch: string): Uint8Array {
  return glyphs.get(ch) ?? Buffer.from(FALLBACK, 'hex');
}

export interface TextStyle {
  scale?: 1 | 2;
  /** Light background, dark letters: the box covers one dot around the text. */
  invert?: boolean;
}

/** Width in dots of `text` as drawn (without the trailing blank column). */
export function textWidth(text: string, scale: 1 | 2 = 1): number {
  const n = [...text].length;
  return n === 0 ? 0 : (n * ADVANCE - 1) * scale;
}

/** Cuts `text` to `maxChars` characters, ending with '…' when it had to cut. */
export function fit(text: string, maxChars: number): string {
  const chars = [...text];
  if (chars.length <= maxChars) return text;
  return chars.slice(0, Math.max(0, maxChars - 1)).join('') + '…';
}

/** Draws `text` with its top-left dot at (x, y); returns the x after the last character. */
export function drawText(fb: Framebuffer, x: number, y: number, text: string, style: TextStyle = {}): number {
  const scale = style.scale ?? 1;
  const on = !style.invert;
  if (style.invert) fb.fillRect(x - 1, y - 1, textWidth(text, scale) + 2, GLYPH_ROWS * scale + 1, true);
  let cx = x;
  for (const ch of text) {
    const cols = glyph(ch);
    for (let c = 0; c < GLYPH_W; c++) {
      const bits = cols[c] ?? 0;
      for (let r = 0; r < GLYPH_ROWS; r++) {
        if (bits & (1 << r)) fb.fillRect(cx + c * scale, y + r * scale, scale, scale, on);
      }
    }
    cx += ADVANCE * scale;
  }
  return cx;
}

/** Draws `text` right-aligned so its last dot is at `right - 1`. */
export function drawTextRight(fb: Framebuffer, right: number, y: number, text: string, style: TextStyle = {}): void {
  drawText(fb, right - textWidth(text, style.scale ?? 1), y, text, style);
}

/** Draws `text` centred on the screen width `width` (default 128). */
export function drawTextCentered(fb: Framebuffer, y: number, text: string, style: TextStyle = {}, width = 128): void {
  drawText(fb, Math.floor((width - textWidth(text, style.scale ?? 1)) / 2), y, text, style);
}
