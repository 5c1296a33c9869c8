// One frame from everything the panel knows: the link state, the engine's status, the UI state,
// the network and the time. Pure; the same function feeds the OLED, the simulator, the web mirror
// and the reference images of the tests.
import { Framebuffer } from '../framebuffer.js';
import type { PanelStatus } from '../api-types.js';
import type { LinkState } from '../engine-link.js';
import type { NetworkInfo } from '../network-info.js';
import type { UiState } from '../ui.js';
import { drawHome } from './home.js';
import { drawEncoder } from './encoder.js';
import { drawNetwork } from './network.js';
import { drawListen } from './listen.js';
import { drawMenu } from './menu.js';
import { drawLink, drawSetupCode } from './link.js';
import { messageBox } from './widgets.js';

export interface PanelView {
  link: LinkState;
  status: PanelStatus | null;
  ui: UiState;
  net: NetworkInfo;
  /** host:port of the engine, for the link screens. */
  apiLabel: string;
  nowMs: number;
  /** While the engine has no admin password and keeps a setup code (the image): the code, for the page's first visit. */
  setupCode?: string | null;
}

export function renderPanel(view: PanelView): Framebuffer {
  const fb = new Framebuffer();
  const { ui } = view;
  if (ui.screen === 'menu') drawMenu(fb, ui);
  else if (ui.screen === 'network') drawNetwork(fb, view.net);
  else if (view.setupCode) drawSetupCode(fb, view.setupCode, view.net.hostname);
  else if (view.link.kind !== 'up' || !view.status) drawLink(fb, view.link, view.apiLabel);
  else if (ui.screen === 'encoder') drawEncoder(fb, view.status, ui);
  else if (ui.screen === 'listen') drawListen(fb, view.status, ui);
  else drawHome(fb, view.status, ui, view.nowMs);
  if (ui.toast && view.nowMs < ui.toast.untilMs) messageBox(fb, ui.toast.lines);
  return fb;
}
