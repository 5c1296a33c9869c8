// The order of scripts/bench --peers' systems in each round: rotated by the round's number, so no system always
// comes first or always follows the same one.
export function roundOrderOf<T>(systems: readonly T[], round: number): T[] {
  const k = round % systems.length;
  return [...systems.slice(k), ...systems.slice(0, k)];
}
