// The messages between the engine's control thread and the audio worker (see audio-path.ts for
// why the audio has a thread of its own). Everything here is structured-cloneable plain data.
import type { CaptureChannels, EncoderConfig, PcmFormat } from '../types.js';
import type { CaptureStatus } from '../capture/capture.js';
import type { ChannelLevel } from '../audio/meters.js';
import type { ConsumerStats } from '../audio/fanout.js';
import type { EncoderStatus } from '../stream/encoder-runner.js';
import type { MachineState } from '../stream/state-machine.js';
import type { Track } from '../metadata/types.js';
import type { DeadAirPlan, DeadAirReport } from '../fallback/dead-air.js';
import type { LiveListenPlan, LiveListenStatus } from '../live-listen/live-listen-core.js';

export interface AudioWorkerInit {
  device: string;
  /** The programme's format: what every consumer gets. */
  format: PcmFormat;
  /** Channels the card is opened with when not the programme's own: 4 (the programme on 1/2, aux1 on 3/4). */
  captureChannels?: CaptureChannels;
  /** Environment for arecord (e.g. PULSE_SERVER in tests). */
  captureEnv?: NodeJS.ProcessEnv;
  /** A private directory for files encoder backends need (Liquidsoap's scripts and sockets). */
  runDir?: string;
}

export type RunnerLink = { remoteAddress: string; localAddress?: string } | null;

/** Control thread → audio worker. Commands with a `reqId` are answered with a `reply`. */
export type AudioCommand =
  | { type: 'start' }
  | { type: 'shutdown'; reqId: number }
  | { type: 'runner_start'; id: number; config: EncoderConfig; password: string }
  | { type: 'runner_stop'; id: number; forget: boolean; reqId: number }
  | { type: 'runner_reconfigure'; id: number; config: EncoderConfig; password: string; reqId: number }
  | { type: 'runner_tags'; id: number; track: Track | null }
  | { type: 'runner_kill'; id: number }
  /** Whether the control thread has consumers of its own (recorders) that want the PCM relayed. */
  | { type: 'relay'; on: boolean }
  /** The control thread has taken `count` relayed chunks off the channel. */
  | { type: 'relay_ack'; count: number }
  | { type: 'kill_capture' }
  /** Capture from another device (same format): the capture alone restarts. */
  | { type: 'capture_device'; device: string; reqId: number }
  /** The silence sensor's settings and the fallback audio (sent at start, on a change and to a restarted worker). */
  | { type: 'dead_air'; plan: DeadAirPlan }
  /** An operator ends a held fallback (auto_return off). */
  | { type: 'fallback_release' }
  /** Live listen's settings as the worker plays them (sent at start, on a change and to a restarted worker). */
  | { type: 'live_listen'; plan: LiveListenPlan }
  /** Kills live listen's aplay as a crash would (tests). */
  | { type: 'live_listen_kill' };

export interface RunnerReport {
  status: EncoderStatus;
  state: MachineState;
  link: RunnerLink;
}

/** Audio worker → control thread. */
export type AudioReport =
  /** `frame`: the capture frame (CaptureStatus.frames counts them) of the chunk's first frame. */
  | { type: 'chunk'; pcm: Uint8Array; capturedAtMs: number; frame: number }
  | { type: 'levels'; channels: ChannelLevel[]; capture: CaptureStatus['state'] }
  | { type: 'capture_status'; status: CaptureStatus }
  | { type: 'runner_status'; report: RunnerReport; previous: MachineState }
  | { type: 'snapshot'; runners: RunnerReport[]; queues: ConsumerStats[]; capture: CaptureStatus }
  | { type: 'reply'; reqId: number; error?: string }
  /** The dead-air sensor changed (detectors, fallback), or with every snapshot. `heldOff`: on_silence "stop" encoders off air now. */
  | { type: 'dead_air'; report: DeadAirReport; heldOff: number[] }
  | { type: 'live_listen_status'; status: LiveListenStatus }
  /** The live listen source's PCM (S16LE), only while the control thread has network listeners. */
  | { type: 'live_pcm'; pcm: Uint8Array };
