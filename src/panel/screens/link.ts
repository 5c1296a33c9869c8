// The screens shown when there is no engine to show: connecting, engine not running, no access.
import type { Framebuffer } from '../framebuffer.js';
import { drawTextCentered, fit } from '../font.js';
import type { LinkState } from '../engine-link.js';

/** The flashed image's first boot, until the admin password is set: the page asks for this code with it. */
export function drawSetupCode(fb: Framebuffer, code: string, host: string): void {
  drawTextCentered(fb, 0, 'SETUP CODE');
  drawTextCentered(fb, 12, fit(code, 10), { scale: 2 });
  drawTextCentered(fb, 34, 'open in a browser:');
  drawTextCentered(fb, 46, fit(`${host}.local`, 21));
}

export function drawLink(fb: Framebuffer, link: LinkState, apiLabel: string): void {
  const api = fit(apiLabel, 21);
  if (link.kind === 'unauthorised' && link.locked) {
    // A fresh install: say how to set the admin password (the panel has no token until then either).
    drawTextCentered(fb, 2, 'LOCKED', { scale: 2 });
    drawTextCentered(fb, 22, 'no admin password yet');
    drawTextCentered(fb, 34, 'on the box, run:');
    drawTextCentered(fb, 46, 'sudo rackcast passwd');
    return;
  }
  if (link.kind === 'unauthorised') {
    drawTextCentered(fb, 4, 'NO ACCESS', { scale: 2 });
    drawTextCentered(fb, 26, 'engine refused panel');
    drawTextCentered(fb, 36, 'check API token');
    drawTextCentered(fb, 52, api);
    return;
  }
  if (link.kind === 'connecting') {
    drawTextCentered(fb, 4, 'RACKCAST', { scale: 2 });
    drawTextCentered(fb, 26, 'connecting to engine');
    drawTextCentered(fb, 52, api);
    return;
  }
  drawTextCentered(fb, 4, 'NO ENGINE', { scale: 2 });
  drawTextCentered(fb, 26, 'engine not running');
  drawTextCentered(fb, 36, 'retrying…');
  drawTextCentered(fb, 52, api);
}
