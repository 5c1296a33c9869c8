// Socket activation (sd_listen_fds(3)): on the box systemd binds port 80 (rackcast-engine.socket) and
// passes it as descriptor 3, so the engine needs no capability to serve a privileged port.
export const SD_LISTEN_FDS_START = 3;

/**
 * The listening descriptor systemd passed to this process, or null. Only when LISTEN_PID is this process
 * (the variables are inherited by children, which must not take the socket for theirs); the variables
 * are removed so that arecord and ffmpeg never see them.
 */
export function takeListenFd(env: NodeJS.ProcessEnv, pid: number): number | null {
  const fds = Number(env.LISTEN_FDS ?? 0);
  const forUs = env.LISTEN_PID !== undefined && Number(env.LISTEN_PID) === pid;
  delete env.LISTEN_FDS;
  delete env.LISTEN_PID;
  delete env.LISTEN_FDNAMES;
  return forUs && Number.isInteger(fds) && fds >= 1 ? SD_LISTEN_FDS_START : null;
}
