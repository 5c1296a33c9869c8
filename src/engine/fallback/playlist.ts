// Which fallback file plays next: the folder's audio files by name (natural order, so "track 2" comes
// before "track 10"), or shuffled with every file once per pass. Pure apart from the random source.

const AUDIO = /\.(mp3|ogg|oga|opus|flac|wav|m4a|aac|mp2)$/i;

export function audioFiles(names: readonly string[]): string[] {
  return names.filter((n) => AUDIO.test(n) && !n.startsWith('.')).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

export class Playlist {
  private queue: string[] = [];

  constructor(
    private files: string[],
    private readonly order: 'in_order' | 'shuffle',
    private readonly random: () => number = Math.random,
  ) {}

  get size(): number {
    return this.files.length;
  }

  /** The next file, or null when the folder has none. */
  next(): string | null {
    if (this.files.length === 0) return null;
    if (this.queue.length === 0) this.queue = this.order === 'shuffle' ? shuffled(this.files, this.random) : [...this.files];
    return this.queue.shift() ?? null;
  }
}

function shuffled(items: readonly string[], random: () => number): string[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
