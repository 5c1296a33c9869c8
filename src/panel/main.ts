// `rackcast panel [flags]`: the front panel service (also runnable directly with
// `node --import tsx src/panel/main.ts [flags]`). Its own process, a client of the engine's HTTP
// API, so an I2C or GPIO fault can never touch audio.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PANEL_USAGE, PanelUsageError, parsePanelFlags, type PanelFlags } from './panel-flags.js';
import { openDisplay } from './display/open-display.js';
import { EngineLink } from './engine-link.js';
import { DEFAULT_TIMING } from './buttons/button-logic.js';
import type { ButtonSource } from './buttons/button-source.js';
import { StdinButtons, STDIN_HELP } from './buttons/stdin-buttons.js';
import { openGpioButtons } from './buttons/gpio-buttons.js';
import { loadPinMap } from './buttons/pin-map.js';
import { Panel } from './panel.js';
import { SysfsAlarmOutput, type AlarmOutput } from './alarm-output/sysfs-output.js';

async function openButtons(flags: PanelFlags): Promise<ButtonSource | null> {
  if (flags.buttons === 'stdin') return new StdinButtons();
  try {
    return await openGpioButtons(await loadPinMap(flags.pinsPath));
  } catch (err) {
    // Degraded, not dead: the display and the web mirror are still worth having.
    console.error(`panel: no buttons: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

/** The alarm relay/LED from the pin map's alarm_output, if it has one. */
async function openAlarmOutput(flags: PanelFlags): Promise<AlarmOutput | null> {
  try {
    const map = await loadPinMap(flags.pinsPath);
    return map.alarmOutput ? await SysfsAlarmOutput.open(map.alarmOutput.bcm, map.alarmOutput.activeLow) : null;
  } catch (err) {
    if (flags.buttons === 'gpio') console.error(`panel: no alarm output: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

export async function runPanel(flags: PanelFlags): Promise<Panel> {
  const display = openDisplay(flags.display);
  const buttons = await openButtons(flags);
  const alarmOutput = await openAlarmOutput(flags);
  const link = new EngineLink({ apiUrl: flags.apiUrl, authorization: flags.authorization });
  const panel = new Panel({ link, display, buttons, alarmOutput, apiUrl: flags.apiUrl, mirror: flags.mirror, holdMs: DEFAULT_TIMING.holdMs, setupCode: setupCodeReader(process.env) });
  console.log(`panel: ${display.description}; ${buttons?.description ?? 'no buttons'}; ${alarmOutput?.description ?? 'no alarm output'}; engine at ${flags.apiUrl}${flags.authorization ? '' : ' (no credentials set)'}`);
  if (flags.buttons === 'stdin') console.log(`panel: ${STDIN_HELP}`);
  panel.start();
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`panel: ${signal}: stopping`);
    await panel.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  return panel;
}

/** The `rackcast panel` command: usage errors exit 2 with the panel's own usage text. */
export async function panelMain(args: string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(PANEL_USAGE);
    return;
  }
  let flags: PanelFlags;
  try {
    flags = parsePanelFlags(args, process.env);
  } catch (err) {
    if (err instanceof PanelUsageError) {
      console.error(`rackcast panel: ${err.message}\n${PANEL_USAGE}`);
      process.exit(2);
    }
    throw err;
  }
  await runPanel(flags);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  panelMain(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

/** The engine's setup code file (the image sets RACKCAST_SETUP_CODE_FILE for both services): read at each frame while locked. */
export function setupCodeReader(env: NodeJS.ProcessEnv): () => string | null {
  const file = env.RACKCAST_SETUP_CODE_FILE;
  if (!file) return () => null;
  return () => {
    try {
      const code = readFileSync(file, 'utf8').trim();
      return /^\d{4}-\d{4}$/.test(code) ? code : null;
    } catch {
      return null;
    }
  };
}
