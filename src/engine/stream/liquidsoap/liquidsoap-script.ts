// The Liquidsoap script for one encoder, as a pure function of its settings. Liquidsoap reads the
// capture's raw PCM on stdin (input.ffmpeg paces itself on it, so there is no second clock to drift),
// encodes it and keeps one output.icecast / output.shoutcast connected. It reports to the engine in
// lines on stdout ("RACKCAST <event> <detail>") and takes titles and connection attempts on its
// server socket. No string from a user reaches the script except through liquidsoapString(): titles
// never do (they go through the socket, URL-encoded).
//
// Retries: after an error the output's source is switched off (a gate), so Liquidsoap's output stays
// disconnected until the engine's state machine says the next attempt is due and opens the gate
// ("rackcast_attempt"). The engine owns the count and the timing, to the millisecond, exactly as with
// ffmpeg; Liquidsoap's own loop makes the attempt. An output.dummy keeps the input read meanwhile, so
// the audio after a reconnect is live, not what piled up during the outage.
import { codecInfo } from '../codecs.js';
import type { EncoderConfig, PcmFormat } from '../../types.js';

export type Dialect = '2.1' | '2.3';

/** The dialect of `liquidsoap --version`'s first line ("Liquidsoap 2.3.2+dev"): 2.2 and later speak 2.3's. */
export function dialectOf(versionLine: string): Dialect | null {
  const m = versionLine.match(/Liquidsoap (\d+)\.(\d+)/);
  if (!m) return null;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 2 || (major === 2 && minor >= 2) ? '2.3' : '2.1';
}

export type ScriptEncoder = Pick<
  EncoderConfig,
  | 'id' | 'codec' | 'bitrate_kbps' | 'sample_rate' | 'channels' | 'quality' | 'output_type'
  | 'server_host' | 'server_port' | 'server_username' | 'mount_point' | 'shoutcast_sid'
  | 'stream_name' | 'stream_genre' | 'stream_url' | 'stream_description' | 'is_public'
  | 'send_metadata' | 'metadata_charset'
>;

export interface ScriptOptions {
  password: string;
  /** The server socket the engine sends titles and connection attempts to. */
  socketPath: string;
  /** Liquidsoap refuses to run as root unless the script allows it (tests run as root; the box does not). */
  allowRoot: boolean;
  /**
   * The dialect of the Liquidsoap that runs the script: '2.1' (Debian 12's 2.1.3) or '2.3' (Debian 13's 2.3.x;
   * anything >= 2.2 speaks it). Get it once from `liquidsoap --version` ("Liquidsoap 2.3.2+dev", ~0.15 s).
   */
  dialect: Dialect;
}

/** The prefix of every line the script prints for the engine. */
export const EVENT_PREFIX = 'RACKCAST';
/** The server command that inserts a title: `rackcast_title <artist> <title>`, both URL-encoded. */
export const TITLE_COMMAND = 'rackcast_title';
/** The server command that lets the output try to connect once more. */
export const ATTEMPT_COMMAND = 'rackcast_attempt';

/**
 * A Liquidsoap string literal holding exactly `value`. Backslash and double quote are escaped,
 * control characters written as \uXXXX, and `#{` (interpolation, which Liquidsoap expands even
 * when written as an escape) split into two literals joined by `^`.
 */
export function liquidsoapString(value: string): string {
  const pieces = value.split('#{').map((piece) => {
    let out = '';
    for (const ch of piece) {
      const code = ch.codePointAt(0)!;
      if (ch === '\\') out += '\\\\';
      else if (ch === '"') out += '\\"';
      else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
      else out += ch;
    }
    return out;
  });
  if (pieces.length === 1) return `"${pieces[0]}"`;
  // "a#{b" → ("a#" ^ "{b"): neither literal holds the two characters together.
  return `(${pieces.map((p, i) => `"${i > 0 ? '{' : ''}${p}${i < pieces.length - 1 ? '#' : ''}"`).join(' ^ ')})`;
}

function float(n: number): string {
  return Number.isInteger(n) ? `${n}.` : String(n);
}

/** The VBR quality when no bitrate is set and the codec has a quality scale. */
function vbrQuality(e: ScriptEncoder): number | null {
  if (e.bitrate_kbps !== null || e.quality === null) return null;
  return codecInfo(e.codec).quality === null ? null : e.quality;
}

function bitrateOf(e: ScriptEncoder): number {
  const kbps = e.bitrate_kbps ?? codecInfo(e.codec).defaultBitrateKbps;
  if (kbps === null) throw new Error(`codec ${e.codec} has no bitrate`);
  return kbps;
}

/** The encoder format (%mp3, %vorbis ...) for the encoder's codec. */
export function encoderFormat(e: ScriptEncoder): string {
  const stereo = e.channels === 2;
  const q = vbrQuality(e);
  switch (e.codec) {
    case 'mp3':
      return q === null
        ? `%mp3(bitrate=${bitrateOf(e)}, samplerate=${e.sample_rate}, stereo=${stereo}, id3v2=false)`
        : `%mp3.vbr(quality=${q}, samplerate=${e.sample_rate}, stereo=${stereo}, id3v2=false)`;
    case 'aac':
      // Debian's Liquidsoap has no %fdkaac; ffmpeg's own AAC-LC encoder, in ADTS like the ffmpeg backend.
      return `%ffmpeg(format="adts", %audio(codec="aac", b="${bitrateOf(e)}k", ar=${e.sample_rate}, channels=${e.channels}))`;
    case 'ogg':
      // ffmpeg's -q:a 0..10 is Vorbis quality 0.0..1.0.
      return q === null
        ? `%vorbis.cbr(bitrate=${bitrateOf(e)}, samplerate=${e.sample_rate}, channels=${e.channels})`
        : `%vorbis(quality=${float(q / 10)}, samplerate=${e.sample_rate}, channels=${e.channels})`;
    case 'opus':
      return `%opus(bitrate=${bitrateOf(e)}, samplerate=48000, channels=${e.channels}, application="audio", frame_size=20.)`;
    case 'flac':
      return `%ogg(%flac(samplerate=${e.sample_rate}, channels=${e.channels}))`;
    case 'wav':
      throw new Error('wav cannot be streamed; use it for file output');
  }
}

/** Liquidsoap's charset name for titles and stream info; 'none' sends UTF-8 as it is. */
function charsetOf(e: ScriptEncoder): string {
  return e.metadata_charset === 'ISO-8859-1' ? 'ISO-8859-1' : 'UTF-8';
}

/**
 * Stream name, genre, URL and description go into the SOURCE request's headers as they are: a CR, LF or
 * NUL there leaves Icecast waiting for the end of the headers (seen as a timeout). They become spaces.
 */
function headerValue(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]/g, ' ');
}

function optional(name: string, value: string | null): string[] {
  return value === null || value === '' ? [] : [`${name}=${liquidsoapString(headerValue(value))}`];
}

function outputCall(e: ScriptEncoder, opts: ScriptOptions): string {
  const v23 = opts.dialect === '2.3';
  const shoutcast = e.output_type === 'shoutcast';
  const sid = e.shoutcast_sid;
  // DNAS 2 in v1 mode picks the stream from a ":#sid" suffix; stream 1 needs none.
  const password = shoutcast && typeof sid === 'number' && sid > 1 ? `${opts.password}:#${sid}` : opts.password;
  const args = [
    encoderFormat(e),
    'id="rackcast"',
    `host=${liquidsoapString(e.server_host ?? '')}`,
    // output.shoutcast takes the server's base port and sends the source to port + 1.
    `port=${e.server_port ?? 8000}`,
    `password=${liquidsoapString(password)}`,
    ...(shoutcast ? [] : [`user=${liquidsoapString(e.server_username || 'source')}`, `mount=${liquidsoapString(e.mount_point ?? '/')}`]),
    ...optional('name', e.stream_name),
    ...optional('genre', e.stream_genre),
    ...optional('url', e.stream_url),
    ...(shoutcast ? [] : optional('description', e.stream_description)),
    `public=${e.is_public}`,
    `encoding=${liquidsoapString(charsetOf(e))}`,
    // 2.1: icy_metadata="guess"|"false" (a string). 2.2+: that argument is send_icy_metadata (bool?, null = guess)
    // and icy_metadata is a list of fields, so the 2.1 form is a type error there. Leaving it out means "guess" on both.
    ...(e.send_metadata ? [] : [v23 ? 'send_icy_metadata=false' : 'icy_metadata="false"']),
    'connection_timeout=5.',
    // A server that takes nothing for 10 s is gone (half-open TCP), as with the ffmpeg backend.
    'timeout=10.',
    'fallible=true',
    'on_connect=on_connect',
    'on_disconnect=on_disconnect',
    'on_error=on_error',
    // 2.2+: a ref is itself a getter (`!x` still works there but is deprecated: a warning on stderr).
    `switch(track_sensitive=false, [(${v23 ? 'attempt_allowed' : '{!attempt_allowed}'}, programme)])`,
  ];
  return `${shoutcast ? 'output.shoutcast' : 'output.icecast'}(\n  ${args.join(',\n  ')}\n)`;
}

export function buildLiquidsoapScript(input: PcmFormat, e: ScriptEncoder, opts: ScriptOptions): string {
  const sampleFormat = input.sampleFormat === 'S16_LE' ? 's16le' : 's32le';
  const layout = input.channels === 1 ? 'mono' : 'stereo';
  const v23 = opts.dialect === '2.3';
  const lines = [
    `# RackCast encoder ${e.id}: generated by the engine, rewritten at every start.`,
    ...(opts.allowRoot ? ['settings.init.allow_root.set(true)'] : []),
    'settings.log.file.set(false)',
    'settings.log.stdout.set(true)',
    'settings.log.level.set(2)',
    // Without this Liquidsoap works at 44.1 kHz and resamples the capture.
    `settings.frame.audio.samplerate.set(${input.sampleRate})`,
    'settings.server.socket.set(true)',
    `settings.server.socket.path.set(${liquidsoapString(opts.socketPath)})`,
    'settings.server.socket.permissions.set(384)', // 0600
    '',
    '# The engine closes stdin to stop the encoder: the input ends, and so does Liquidsoap.',
    'ended = ref(false)',
    'def input_ended() =',
    `  if not ${v23 ? 'ended()' : '!ended'} then`,
    '    ended := true',
    `    print("${EVENT_PREFIX} input_ended")`,
    '    shutdown()',
    '  end',
    'end',
    'capture = input.ffmpeg(',
    `  format="${sampleFormat}",`,
    `  string_args=[("ch_layout", "${layout}")],`,
    `  int_args=[("sample_rate", ${input.sampleRate})],`,
    '  self_sync=true,',
    '  on_disconnect=input_ended,',
    '  "pipe:0"',
    ')',
    '# Titles come only from the engine: the input\'s own first metadata would start a second Ogg chain',
    '# one page into the stream, which players such as ffmpeg cannot decode.',
    // 2.3 logs "[lang.deprecated:2] WARNING: \"drop_metadata\" is deprecated" (a severe line) for the old name.
    `programme = insert_metadata(mksafe(${v23 ? 'source.drop.metadata' : 'drop_metadata'}(capture)))`,
    '# Reads the input while the output waits for its next attempt.',
    'output.dummy(programme)',
    '',
    `def title(arg) =`,
    '  parts = string.split(separator=" ", arg)',
    '  artist = url.decode(list.nth(default="", parts, 0))',
    '  title = url.decode(list.nth(default="", parts, 1))',
    '  if artist == "" then',
    '    programme.insert_metadata([("title", title)])',
    '  else',
    '    programme.insert_metadata([("artist", artist), ("title", title)])',
    '  end',
    '  "ok"',
    'end',
    `server.register(${liquidsoapString(TITLE_COMMAND)}, title)`,
    '',
    'attempt_allowed = ref(true)',
    `server.register(${liquidsoapString(ATTEMPT_COMMAND)}, fun (_) -> begin attempt_allowed := true "ok" end)`,
    `def on_connect() = print("${EVENT_PREFIX} connected") end`,
    `def on_disconnect() = print("${EVENT_PREFIX} disconnected") end`,
    '# After an error the output waits, disconnected, until the engine allows the next attempt.',
    'def on_error(e) =',
    '  attempt_allowed := false',
    `  print("${EVENT_PREFIX} error " ^ string.replace(pattern="\\n", fun (_) -> " ", e))`,
    '  0.',
    'end',
    '',
    outputCall(e, opts),
    '',
  ];
  return lines.join('\n');
}
