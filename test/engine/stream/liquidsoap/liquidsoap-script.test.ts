// test-timeout: 180
// The generated Liquidsoap scripts: snapshots of every codec and output kind in both dialects (2.1 for
// Debian 12's Liquidsoap 2.1.3, 2.3 for Debian 13's 2.3.x), the installed Liquidsoap's set checked by the
// real `liquidsoap --check --strict`, and string literals proved by effect: Liquidsoap itself prints back
// exactly the quotes, backslashes, #{...} and newlines it was given. (The 2.3 set was checked, and run
// against a real Icecast, with trixie's Liquidsoap 2.3.2 in a Debian 13 root: README, Encoder backends.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildLiquidsoapScript, dialectOf, liquidsoapString, type Dialect, type ScriptEncoder } from '../../../../src/engine/stream/liquidsoap/liquidsoap-script.js';
import { liquidsoapDialect } from '../../../../src/engine/stream/liquidsoap/liquidsoap-backend.js';
import type { PcmFormat } from '../../../../src/engine/types.js';
import { removeOnExit } from '../../../harness/util.js';

const run = promisify(execFile);
const SNAPSHOTS = join(import.meta.dirname, 'snapshots');
const UPDATE = process.env.RACKCAST_UPDATE_SNAPSHOTS === '1';
const dir = mkdtempSync(join(tmpdir(), 'rackcast-liq-'));
removeOnExit(dir);

const INPUT: PcmFormat = { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' };
const HOSTILE = 'Q "x" \\ #{1+1} #{ \n\r\t end\u0000\u007f ’;';
const BASE: ScriptEncoder = {
  id: 3, codec: 'mp3', bitrate_kbps: 128, sample_rate: 48000, channels: 2, quality: null, output_type: 'icecast',
  server_host: 'radio.example.org', server_port: 8000, server_username: 'source', mount_point: '/live.mp3',
  shoutcast_sid: null, stream_name: 'Radio "Eins"', stream_genre: 'News #{genre}', stream_url: 'https://example.org/',
  stream_description: 'line one\nline two', is_public: false, send_metadata: true, metadata_charset: 'UTF-8',
};
const OPTS = { password: 'p"a\\s#{s}w\nord', socketPath: '/run/rackcast/encoder-3.sock', allowRoot: false };
const DIALECTS: Dialect[] = ['2.1', '2.3'];

const CASES: Record<string, Partial<ScriptEncoder>> = {
  'icecast-mp3-cbr': {},
  'icecast-mp3-vbr': { bitrate_kbps: null, quality: 2 },
  'icecast-mp3-mono-44k': { channels: 1, sample_rate: 44100, bitrate_kbps: 64 },
  'icecast-aac': { codec: 'aac', bitrate_kbps: 96, mount_point: '/live.aac' },
  'icecast-vorbis-cbr': { codec: 'ogg', bitrate_kbps: 96, mount_point: '/live.ogg' },
  'icecast-vorbis-quality': { codec: 'ogg', bitrate_kbps: null, quality: 5, mount_point: '/live.ogg' },
  'icecast-opus': { codec: 'opus', bitrate_kbps: 64, mount_point: '/live.opus' },
  'icecast-ogg-flac': { codec: 'flac', bitrate_kbps: null, mount_point: '/live.flac' },
  'icecast-latin1-no-titles': { metadata_charset: 'ISO-8859-1', send_metadata: false, stream_name: null, stream_genre: null, stream_url: null, stream_description: null },
  'shoutcast-v1-mp3': { output_type: 'shoutcast', mount_point: null, server_port: 8010 },
  'shoutcast-v1-aac-sid-2': { output_type: 'shoutcast', mount_point: null, codec: 'aac', bitrate_kbps: 64, shoutcast_sid: 2 },
  'hostile-strings': { stream_name: HOSTILE, stream_genre: HOSTILE, stream_url: HOSTILE, stream_description: HOSTILE, server_host: 'host"#{x}', mount_point: '/m"#{x}\\', server_username: 'u#{x}' },
};

function scriptFor(name: string, dialect: Dialect): string {
  const opts = name === 'hostile-strings' ? { ...OPTS, password: HOSTILE } : OPTS;
  return buildLiquidsoapScript(INPUT, { ...BASE, ...CASES[name] }, { ...opts, dialect });
}

const snapshot = (dialect: Dialect, name: string): string => join(SNAPSHOTS, dialect, `${name}.liq`);

async function check(path: string): Promise<string> {
  try {
    await run('liquidsoap', ['--check', '--strict', path], { timeout: 60_000 });
    return '';
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || e.message;
  }
}

test('the dialect from `liquidsoap --version`', async () => {
  assert.is(dialectOf('Liquidsoap 2.1.3'), '2.1');
  assert.is(dialectOf('Liquidsoap 2.2.5'), '2.3');
  assert.is(dialectOf('Liquidsoap 2.3.2+dev'), '2.3');
  assert.is(dialectOf('Liquidsoap 3.0.0'), '2.3');
  assert.is(dialectOf('something else'), null);
  assert.ok(DIALECTS.includes(await liquidsoapDialect('liquidsoap')));
});

test('every generated script matches its snapshot, in both dialects', () => {
  for (const dialect of DIALECTS) {
    mkdirSync(join(SNAPSHOTS, dialect), { recursive: true });
    for (const name of Object.keys(CASES)) {
      const file = snapshot(dialect, name);
      const script = scriptFor(name, dialect);
      if (UPDATE || !existsSync(file)) {
        assert.ok(UPDATE, `no snapshot ${file}: run with RACKCAST_UPDATE_SNAPSHOTS=1 and read the new file before committing it`);
        writeFileSync(file, script);
      }
      assert.fixture(script, readFileSync(file, 'utf8'), `${dialect}/${name}`);
    }
  }
});

test('every snapshot of the installed Liquidsoap\'s dialect passes its real `liquidsoap --check --strict`', async () => {
  const dialect = await liquidsoapDialect('liquidsoap');
  const names = Object.keys(CASES);
  const failures: string[] = [];
  // Two at a time: each check is a Liquidsoap start-up (about 2 s of CPU).
  for (let i = 0; i < names.length; i += 2) {
    const batch = names.slice(i, i + 2);
    const results = await Promise.all(batch.map((name) => check(snapshot(dialect, name))));
    results.forEach((r, k) => r && failures.push(`${batch[k]}: ${r}`));
  }
  assert.equal(failures, []);
});

test('a script with a Liquidsoap error is refused by the same check (the check can fail)', async () => {
  const broken = join(dir, 'broken.liq');
  writeFileSync(broken, scriptFor('icecast-mp3-cbr', await liquidsoapDialect('liquidsoap')).replace('%mp3(bitrate=128', '%mp3(bitrate="128"'));
  assert.ok((await check(broken)) !== '', 'liquidsoap --check accepted a bitrate given as a string');
});

test('string literals: Liquidsoap reads back exactly what was written, #{...} not interpolated', async () => {
  const values = [HOSTILE, '', '#{', '#', '{', '}#{#{}}', 'a\\#{b}', '"#{"\\"}"', 'Café Müller 日本 😀', 'tab\there\nnew line', '\\u0023{x}'];
  const lines = ['settings.init.allow_root.set(true)', 'settings.log.stdout.set(false)'];
  values.forEach((v, i) => lines.push(`print("<<V${i}>>" ^ ${liquidsoapString(v)} ^ "<<END>>")`));
  lines.push('shutdown()');
  const script = join(dir, 'literals.liq');
  writeFileSync(script, lines.join('\n') + '\n');
  assert.is(await check(script), '', 'the literals type-check');
  // With no output defined Liquidsoap prints, then ends ("nothing to do") with a non-zero status.
  const stdout = await run('liquidsoap', [script], { timeout: 60_000 }).then(
    (r) => r.stdout,
    (err: { stdout?: string }) => err.stdout ?? '',
  );
  values.forEach((v, i) => {
    const m = stdout.match(new RegExp(`<<V${i}>>([\\s\\S]*?)<<END>>`));
    assert.ok(m, `value ${i} printed: ${stdout.slice(0, 500)}`);
    assert.is(m![1], v, `value ${i} ${JSON.stringify(v)}`);
  });
});

test.run();
