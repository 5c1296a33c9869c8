// systemd Type=notify and watchdog, through the systemd-notify binary (Node has no unix
// datagram sockets). Does nothing when not started by systemd.
import { spawn } from 'node:child_process';

function notify(state: string): void {
  const child = spawn('systemd-notify', [state], { stdio: 'ignore' });
  child.on('error', () => {});
}

/** Signals READY=1 and pings the watchdog at half its interval; returns a stop function. */
export function notifySystemd(env: NodeJS.ProcessEnv = process.env): () => void {
  if (!env.NOTIFY_SOCKET) return () => {};
  notify('--ready');
  const watchdogUsec = Number(env.WATCHDOG_USEC ?? 0);
  if (!watchdogUsec) return () => notify('STOPPING=1');
  const timer = setInterval(() => notify('WATCHDOG=1'), Math.max(1000, watchdogUsec / 2000));
  return () => {
    clearInterval(timer);
    notify('STOPPING=1');
  };
}
