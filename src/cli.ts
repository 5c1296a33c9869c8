// `rackcast engine [flags]`: starts the engine and its HTTP API.
import { Engine } from './engine/engine.js';
import { startWebServer } from './web/server.js';
import { takeListenFd } from './web/systemd-socket.js';
import { applyApplianceDefaults } from './appliance-defaults.js';
import { ensureAdminPassword } from './web/auth.js';
import { storedAdminHash } from './web/passwords.js';
import { notifySystemd } from './engine/systemd.js';
import { USAGE, UsageError, parseEngineFlags, type EngineFlags } from './cli-flags.js';
import { SETUP_CODE_ENV, SetupCode, retireWhenPasswordSet } from './web/setup-code.js';
import { applyPresetConfig, applyPresetPassword, readSetupPreset } from './engine/box/setup-preset.js';

export async function runEngine(flags: EngineFlags): Promise<void> {
  const engine = new Engine({ dataDir: flags.dataDir, captureDevice: flags.capture, captureFormat: flags.format });
  // The image's rackcast-setup.toml, once: its password before the lock is decided, its configuration once running.
  const preset = readSetupPreset(flags.dataDir);
  if (preset) applyPresetPassword(engine, preset);
  const auth = await ensureAdminPassword(engine.settings, flags.adminPassword);
  const defaults = await applyApplianceDefaults(engine, process.env);
  if (defaults) console.log(defaults);
  // The image's first visit: a setup code while no password exists (and none once one does).
  const setupCode = new SetupCode(process.env[SETUP_CODE_ENV] || null);
  if (setupCode.sync(auth.locked)) console.log(`No admin password is set: the setup code is in ${process.env[SETUP_CODE_ENV]} (shown on the box's console and panel)`);
  engine.start();
  if (preset) console.log(await applyPresetConfig(engine, flags.dataDir, preset));
  const web = await startWebServer(engine, { port: flags.port, bind: flags.bind, listenFd: takeListenFd(process.env, process.pid), setupCode });
  console.log(`RackCast engine listening on ${web.url} (data in ${flags.dataDir}, capture ${engine.captureSettings.device})`);
  console.log(auth.locked ? 'No admin password is set: run `rackcast passwd` on the box (or start once with RACKCAST_ADMIN_PASSWORD) to unlock the API.' : auth.message);
  const stopRetire = retireWhenPasswordSet(setupCode, () => storedAdminHash(engine.settings) !== null);
  const stopNotify = notifySystemd();
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    stopNotify();
    stopRetire();
    await web.close();
    await engine.shutdown();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

export async function main(argv: string[]): Promise<void> {
  const [command = 'engine', ...rest] = argv;
  try {
    if (command === 'engine') return await runEngine(parseEngineFlags(rest, process.env));
    if (command === 'panel') return await (await import('./panel/main.js')).panelMain(rest);
    if (command === 'passwd') {
      const { runPasswd, terminalIo, PasswdError } = await import('./passwd.js');
      try {
        return await runPasswd(rest, process.env, terminalIo(rest.includes('--stdin')));
      } catch (err) {
        if (!(err instanceof PasswdError)) throw err;
        console.error(`rackcast passwd: ${err.message}`);
        process.exit(2);
      }
    }
    if (command === 'token') {
      const { runToken, TokenError } = await import('./token-cli.js');
      try {
        return runToken(rest, process.env);
      } catch (err) {
        if (!(err instanceof TokenError)) throw err;
        console.error(`rackcast token: ${err.message}`);
        process.exit(2);
      }
    }
    if (command === 'image-setup') {
      const { runImageSetup, ImageSetupError } = await import('./image-setup/image-setup-cli.js');
      try {
        for (const line of await runImageSetup(rest)) console.log(line);
        return;
      } catch (err) {
        if (!(err instanceof ImageSetupError)) throw err;
        console.error(`rackcast image-setup: ${err.message}`);
        process.exit(2);
      }
    }
    if (command === '--help' || command === 'help' || command === '-h') {
      console.log((await import('./help.js')).MAN_HELP);
      return;
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`rackcast: ${err.message}\n${USAGE}`);
      process.exit(2);
    }
    throw err;
  }
}
