// Where the box is on the network: its address, host name and the URL of its web page.
import type { Framebuffer } from '../framebuffer.js';
import { drawText, fit } from '../font.js';
import type { NetworkInfo } from '../network-info.js';
import { titleBar } from './widgets.js';

/** Splits `text` into lines of at most `width` characters (URLs have no spaces to break at). */
export function hardWrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += width) out.push(text.slice(i, i + width));
  return out.length ? out : [''];
}

export function drawNetwork(fb: Framebuffer, net: NetworkInfo): void {
  titleBar(fb, 'NETWORK');
  drawText(fb, 0, 12, fit(`IP   ${net.address ?? 'no network'}`, 21));
  drawText(fb, 0, 22, fit(`Host ${net.hostname}`, 21));
  drawText(fb, 0, 34, 'Web page:');
  // Without "http://" the address of a box on the LAN fits on one line; browsers add it back.
  const url = net.pageUrl.replace(/^http:\/\//, '').replace(/\/$/, '');
  hardWrap(url, 21).slice(0, 2).forEach((line, i) => drawText(fb, 0, 44 + i * 9, line));
}
