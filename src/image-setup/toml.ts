// The part of TOML that rackcast-setup.toml needs, and no more: `key = value` pairs at the top and under
// `[table]` headers, values that are strings ("basic" with \" \\ \n \t \uXXXX escapes, or 'literal'),
// integers and booleans, and # comments. Anything else is refused with its line number rather than
// guessed at: the file is typed by hand on another computer and read once, at the box's first boot.
export type TomlValue = string | number | boolean;
export type TomlTable = Record<string, TomlValue>;
export interface TomlDocument {
  /** Keys above the first table header. */
  top: TomlTable;
  tables: Record<string, TomlTable>;
}

export class TomlError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

const KEY = /^[A-Za-z0-9_-]+$/;

function parseBasicString(body: string, line: number): { value: string; rest: string } {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '"') return { value: out, rest: body.slice(i + 1) };
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === '"' || e === '\\') out += e;
    else if (e === 'n') out += '\n';
    else if (e === 't') out += '\t';
    else if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(body.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 5), 16));
      i += 4;
    } else throw new TomlError(line, `unknown escape \\${e ?? ''} in a string`);
  }
  throw new TomlError(line, 'a string without its closing "');
}

function parseValue(text: string, line: number): TomlValue {
  let value: TomlValue;
  let rest: string;
  if (text.startsWith('"')) ({ value, rest } = parseBasicString(text.slice(1), line));
  else if (text.startsWith("'")) {
    const end = text.indexOf("'", 1);
    if (end < 0) throw new TomlError(line, "a string without its closing '");
    value = text.slice(1, end);
    rest = text.slice(end + 1);
  } else {
    const m = /^([^\s#]+)(.*)$/.exec(text);
    const word = m?.[1] ?? '';
    rest = m?.[2] ?? '';
    if (word === 'true' || word === 'false') value = word === 'true';
    else if (/^[+-]?\d+$/.test(word.replace(/_/g, ''))) value = Number(word.replace(/_/g, ''));
    else throw new TomlError(line, `"${word}" is not a value this file takes (a "string", a number, true or false)`);
  }
  if (rest.trim() !== '' && !rest.trim().startsWith('#')) throw new TomlError(line, `unexpected "${rest.trim()}" after the value`);
  return value;
}

export function parseToml(text: string): TomlDocument {
  const doc: TomlDocument = { top: {}, tables: {} };
  let current = doc.top;
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const s = raw.trim();
    if (s === '' || s.startsWith('#')) return;
    const header = /^\[\s*([A-Za-z0-9_-]+)\s*\]\s*(#.*)?$/.exec(s);
    if (header) {
      const name = header[1]!;
      if (name in doc.tables) throw new TomlError(line, `[${name}] appears twice`);
      current = doc.tables[name] = {};
      return;
    }
    const eq = s.indexOf('=');
    if (eq < 0) throw new TomlError(line, 'expected key = value or a [table] header');
    const key = s.slice(0, eq).trim();
    if (!KEY.test(key)) throw new TomlError(line, `"${key}" is not a plain key (letters, digits, _ and -)`);
    if (key in current) throw new TomlError(line, `${key} is set twice`);
    current[key] = parseValue(s.slice(eq + 1).trim(), line);
  });
  return doc;
}
