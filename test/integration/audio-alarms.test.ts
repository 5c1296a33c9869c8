// The lost-channel and clipping sensors on a real capture: PulseAudio's null sink through ALSA, with a tone
// on the left only (a broken cable leg: "right" is lost), then a tone at full scale (clipping), then a
// clean tone: each alarm raised after its time and cleared after recovery_secs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startPulse, type PlayHandle, type PulseServer } from '../harness/pulse.js';
import { sinePcm } from '../harness/signal.js';
import { startTestEngine, type TestEngine } from '../harness/engine.js';
import { waitFor } from '../harness/util.js';

let pulse: PulseServer | undefined;
let player: PlayHandle | undefined;
let t: TestEngine | undefined;

const FORMAT = { rate: 48000, channels: 2 };

function leftOnly(): Buffer {
  const pcm = sinePcm({ freqHz: 1000, seconds: 2, ...FORMAT, amplitude: 0.5 });
  for (let i = 2; i < pcm.length; i += 4) pcm.writeInt16LE(0, i);
  return pcm;
}

async function play(pcm: Buffer): Promise<void> {
  await player?.stop();
  player = pulse!.play(pcm, FORMAT, { loop: true, latencyMs: 200 });
}

async function alarms(): Promise<{ kind: string; subject: string; text: string }[]> {
  return (await t!.api('GET', '/api/status')).body.alarms;
}

test.before(async () => {
  pulse = await startPulse();
  t = await startTestEngine({ captureDevice: pulse.pcm, captureEnv: { ...process.env, ...pulse.env } });
  const put = await t.api('PUT', '/api/alarms/settings', { silence_secs: 2, recovery_secs: 1, clipping_secs: 1 });
  assert.is(put.status, 200, JSON.stringify(put.body));
});

test.after(async () => {
  await t?.stop();
  await player?.stop();
  await pulse?.stop();
});

test('a tone on the left only: "right" channel lost, not silence; cleared once both sides carry it', async () => {
  await play(leftOnly());
  await waitFor(async () => (await alarms()).some((a) => a.kind === 'channel_lost'), { timeoutMs: 10_000, what: 'channel_lost' });
  const lost = (await alarms()).find((a) => a.kind === 'channel_lost')!;
  assert.is(lost.subject, 'right');
  assert.is(lost.text, 'Channel lost: the right channel is silent while the other carries audio');
  assert.not.ok((await alarms()).some((a) => a.kind === 'silence'));
  await play(sinePcm({ freqHz: 1000, seconds: 2, ...FORMAT, amplitude: 0.5 }));
  await waitFor(async () => !(await alarms()).some((a) => a.kind === 'channel_lost'), { timeoutMs: 10_000, what: 'channel_lost cleared' });
});

test('a tone at full scale: clipping after clipping_secs; cleared when the level comes down', async () => {
  await play(sinePcm({ freqHz: 1000, seconds: 2, ...FORMAT, amplitude: 1 }));
  await waitFor(async () => (await alarms()).some((a) => a.kind === 'clipping'), { timeoutMs: 10_000, what: 'clipping' });
  await play(sinePcm({ freqHz: 1000, seconds: 2, ...FORMAT, amplitude: 0.5 }));
  await waitFor(async () => (await alarms()).length === 0, { timeoutMs: 10_000, what: 'no alarm' });
  const history = (await t!.api('GET', '/api/alarms')).body.history as { kind: string; cleared: string | null }[];
  assert.equal(history.map((a) => [a.kind, a.cleared !== null]).slice(0, 2), [['clipping', true], ['channel_lost', true]]);
});

test.run();
