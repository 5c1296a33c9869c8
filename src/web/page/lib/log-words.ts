// The event log's kinds in an operator's words (the message of each event already is a sentence). Pure.
export const KIND_WORDS: Record<string, string> = {
  encoder_started: 'Started',
  encoder_stopped: 'Stopped',
  encoder_connected: 'On air',
  encoder_disconnected: 'Connection lost',
  encoder_retrying: 'Retrying',
  encoder_failed: 'Gave up',
  capture_lost: 'No input',
  capture_restored: 'Input back',
  capture_changed: 'Capture changed',
  config_changed: 'Settings',
  config_imported: 'Backup restored',
  metadata_push_failed: 'Title not sent',
  recording_started: 'Recording started',
  recording_stopped: 'Recording stopped',
  recording_rotation: 'New file',
  recording_dropped: 'Recording lost audio',
  recording_error: 'Recording error',
  recording_storage_full: 'Drive full',
  recording_storage_missing: 'Drive missing',
  recording_storage_restored: 'Drive back',
  recording_retention: 'Old recordings deleted',
  recording_repaired: 'Recording repaired',
  alarm_raised: 'Alarm',
  alarm_cleared: 'Alarm cleared',
  fallback_started: 'Fallback on air',
  fallback_ended: 'Programme back',
  fallback_released: 'Fallback released',
  notification_failed: 'Notification failed',
  password_changed: 'Password changed',
  token_created: 'Token created',
  token_revoked: 'Token revoked',
  audio_path_restarted: 'Audio restarted',
  storage_ejected: 'Drive ejected',
  storage_eject_failed: 'Eject failed',
};

export function kindWords(kind: string): string {
  return KIND_WORDS[kind] ?? kind.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/** "14:03:07" today, "2 Dec 14:03:07" another day, in the browser's time zone. */
export function logTime(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  return d.toDateString() === now.toDateString() ? time : `${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} ${time}`;
}
