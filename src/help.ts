// `rackcast --help`: the whole command in the shape of a manual page (NAME, SYNOPSIS, COMMANDS,
// ENVIRONMENT, FILES), so the box explains itself without the README. Each command's own flags stay
// with its parser (cli-flags.ts, panel-flags.ts, passwd.ts) and are quoted here.
import { USAGE } from './cli-flags.js';
import { PANEL_USAGE } from './panel/panel-flags.js';
import { PASSWD_USAGE } from './passwd.js';
import { IMAGE_SETUP_USAGE } from './image-setup/usage.js';
import { TOKEN_USAGE } from './token-cli.js';

const indent = (text: string) => text.split('\n').map((l) => `       ${l}`).join('\n');

export const MAN_HELP = `RACKCAST(1)                         RackCast                         RACKCAST(1)

NAME
       rackcast - the rack streaming encoder: ALSA capture, encoders, Icecast and
       SHOUTcast outputs, recordings, a web page and the front panel

SYNOPSIS
       rackcast engine [FLAGS]
       rackcast panel [FLAGS]
       rackcast passwd [--data-dir DIR] [--stdin]
       rackcast token create|list|revoke [FLAGS]
       rackcast image-setup FILE [FLAGS] | --hash
       rackcast --help

COMMANDS
       engine  The engine and its HTTP API and web page (rackcast-engine.service).
${indent(USAGE)}

       panel   The front panel: OLED and buttons, a client of the engine's API
               (rackcast-panel.service).
${indent(PANEL_USAGE)}

       passwd  Sets the admin password (a fresh install has none).
${indent(PASSWD_USAGE)}

       token   API tokens with a scope, for the panel, playout systems and scripts.
${indent(TOKEN_USAGE)}

       image-setup  The flashed image's presets (rackcast-setup.toml on the boot partition).
${indent(IMAGE_SETUP_USAGE)}

ENVIRONMENT
       The services read /etc/default/rackcast (RACKCAST_* variables, as above).
       LISTEN_FDS, LISTEN_PID: a listening socket passed by systemd
       (rackcast-engine.socket, port 80 on the box) is used instead of --port/--bind.
       RACKCAST_SETUP_CODE_FILE: while no admin password is set, the engine keeps a setup
       code there (the image); the page's first visit asks for it with the new password.

FILES
       /var/lib/rackcast/rackcast.db   encoders, settings, logs (0600, the rackcast user's)
       /etc/default/rackcast           the services' environment
       /media/rackcast-usb             the USB recordings drive, mounted when plugged in

SEE ALSO
       journalctl -u rackcast-engine -u rackcast-panel; the web page at http://rackcast.local/
`;

/** The same text as a roff manual page (rackcast.1), for the package. */
export function manPage(version: string): string {
  const roff = (line: string) => line.replace(/\\/g, '\\e').replace(/^([.'])/, '\\&$1').replace(/-/g, '\\-');
  const out = [`.TH RACKCAST 1 "" "rackcast ${version}" "RackCast"`];
  for (const line of MAN_HELP.split('\n').slice(1)) {
    if (/^[A-Z][A-Z ]+$/.test(line)) {
      out.push(`.SH ${line}`);
      if (line !== 'NAME') out.push('.nf');
      continue;
    }
    if (out.at(-1) === '.SH NAME') {
      out.push(roff(line.trim()));
      continue;
    }
    if (line.trim() === '') {
      if (!out.at(-1)!.startsWith('.')) out.push('.sp');
      continue;
    }
    out.push(roff(line.replace(/^ {7}/, '')));
  }
  // NAME is one line in the whatis database: "rackcast \- ...".
  const nameAt = out.indexOf('.SH NAME');
  const body: string[] = [];
  let i = nameAt + 1;
  while (i < out.length && !out[i]!.startsWith('.SH')) body.push(out[i++]!);
  out.splice(nameAt + 1, body.length, body.join(' '));
  return out.join('\n') + '\n';
}
