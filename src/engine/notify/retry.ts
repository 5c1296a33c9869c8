// When a failed delivery is tried again: 5 s, 15 s, 45 s, 2 min 15 s, then it is given up (logged),
// each with up to 20 % jitter so a box's targets do not all retry in step. Pure.
export const MAX_ATTEMPTS = 5;

/** The wait after failed attempt `attempt` (1-based), or null when it is the last. */
export function deliveryRetryDelayMs(attempt: number, random: () => number = Math.random): number | null {
  if (attempt >= MAX_ATTEMPTS) return null;
  const base = 5000 * 3 ** (attempt - 1);
  return Math.round(base * (1 + 0.2 * random()));
}
