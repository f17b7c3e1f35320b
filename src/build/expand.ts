// Variable substitution and word splitting for the instructions that allow it (FROM, COPY, ADD, ENV, ARG, LABEL,
// WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL): $VAR, ${VAR}, ${VAR:-default} and ${VAR:+alternative}, with
// single quotes literal, double quotes grouping, and the escape character protecting the next character.
// RUN, CMD and ENTRYPOINT are left alone: their shell expands variables itself at run time.
import { InvalidArgumentError } from '../core/index.js';

export type Vars = ReadonlyMap<string, string>;

/** Expands the whole text as one word (quotes removed), e.g. WORKDIR and USER. */
export function expandWord(text: string, vars: Vars, escape = '\\'): string {
  return new Lexer(text, vars, escape).words(false).join('');
}

/** Expands and splits into words on unquoted whitespace, e.g. COPY sources, EXPOSE ports, ENV k=v pairs. */
export function expandWords(text: string, vars: Vars, escape = '\\'): string[] {
  return new Lexer(text, vars, escape).words(true);
}

class Lexer {
  private pos = 0;
  constructor(private readonly s: string, private readonly vars: Vars, private readonly esc: string) {}

  words(split: boolean): string[] {
    const out: string[] = [];
    let word = '';
    let inWord = false;
    while (this.pos < this.s.length) {
      const c = this.s[this.pos]!;
      if (split && /\s/.test(c)) {
        if (inWord) out.push(word);
        word = '';
        inWord = false;
        this.pos++;
        continue;
      }
      inWord = true;
      if (c === "'") word += this.until("'");
      else if (c === '"') word += this.doubleQuoted();
      else if (c === this.esc && this.pos + 1 < this.s.length) { word += this.s[this.pos + 1]; this.pos += 2; }
      else if (c === '$') word += this.variable();
      else { word += c; this.pos++; }
    }
    if (inWord) out.push(word);
    return out;
  }

  private until(quote: string): string {
    const end = this.s.indexOf(quote, this.pos + 1);
    if (end < 0) throw new InvalidArgumentError(`unmatched ${quote} in: ${this.s}`);
    const text = this.s.slice(this.pos + 1, end);
    this.pos = end + 1;
    return text;
  }

  private doubleQuoted(): string {
    let out = '';
    this.pos++;
    while (this.pos < this.s.length) {
      const c = this.s[this.pos]!;
      if (c === '"') { this.pos++; return out; }
      if (c === this.esc && '"$\\`'.includes(this.s[this.pos + 1] ?? '')) { out += this.s[this.pos + 1]; this.pos += 2; continue; }
      if (c === '$') { out += this.variable(); continue; }
      out += c;
      this.pos++;
    }
    throw new InvalidArgumentError(`unmatched " in: ${this.s}`);
  }

  private variable(): string {
    const rest = this.s.slice(this.pos + 1);
    const plain = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (plain) {
      this.pos += 1 + plain[0].length;
      return this.vars.get(plain[0]) ?? '';
    }
    if (!rest.startsWith('{')) { this.pos++; return '$'; }
    const close = rest.indexOf('}');
    if (close < 0) throw new InvalidArgumentError(`missing } in: ${this.s}`);
    const body = rest.slice(1, close);
    this.pos += 2 + close;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:[-+])(.*))?$/s.exec(body);
    if (!m) throw new InvalidArgumentError(`bad substitution \${${body}} in: ${this.s}`);
    const value = this.vars.get(m[1]!);
    // the default/alternative is itself expanded (docker allows ${A:-$B})
    const word = () => expandWord(m[3] ?? '', this.vars, this.esc);
    if (m[2] === ':-') return value ? value : word();
    if (m[2] === ':+') return value ? word() : '';
    return value ?? '';
  }
}

/** KEY=VALUE pairs of ENV/LABEL/ARG; the legacy "ENV KEY VALUE" form (one pair, value is the rest) too. */
export function keyValuePairs(text: string, vars: Vars, escape: string, legacyAllowed: boolean): Array<[string, string]> {
  const first = /^(\S+)/.exec(text)?.[1] ?? '';
  if (legacyAllowed && !first.includes('=')) {
    const value = text.slice(first.length).trim();
    return [[first, expandWord(value, vars, escape)]];
  }
  return expandWords(text, vars, escape).map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`expected KEY=VALUE, got "${w}"`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}
