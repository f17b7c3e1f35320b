// Containerfile/Dockerfile parsing: parser directives, comments, line continuations, flags and the JSON (exec)
// form. The result is a list of instructions with the line each one starts on; variable substitution happens
// later, at execution, because ARG values are only known then (see expand.ts).
import { InvalidArgumentError } from '../core/index.js';

export const INSTRUCTIONS = [
  'FROM', 'RUN', 'COPY', 'ADD', 'ENV', 'ARG', 'WORKDIR', 'USER', 'ENTRYPOINT', 'CMD', 'EXPOSE', 'LABEL', 'VOLUME',
  'HEALTHCHECK', 'STOPSIGNAL', 'SHELL', 'MAINTAINER',
] as const;
export type InstructionName = (typeof INSTRUCTIONS)[number];

/** Instructions whose flags (--from=, --chown=, …) are parsed off the front of their arguments. */
const WITH_FLAGS = new Set<InstructionName>(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);
/** Instructions that accept the JSON array form. */
const JSON_FORM = new Set<InstructionName>(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'COPY', 'ADD', 'VOLUME', 'HEALTHCHECK']);

export interface Instruction {
  line: number;                   // 1-based line the instruction starts on
  name: InstructionName;
  flags: Record<string, string>;  // --name=value (a bare --name is "true")
  args: string;                   // the rest, after flags, continuations joined
  json?: string[];                // the exec form, when args is a JSON array of strings
  original: string;               // the instruction as written (one line), for step messages
}

export interface Containerfile {
  escape: string;
  instructions: Instruction[];
}

/** An error at a line of the Containerfile: the message starts with the line so users find it at once. */
export class ContainerfileError extends InvalidArgumentError {
  constructor(readonly line: number, message: string) {
    super(`Containerfile line ${line}: ${message}`);
  }
}

const DIRECTIVE_RE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;

export function parseContainerfile(text: string): Containerfile {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let escape = '\\';
  let i = 0;
  // Parser directives: only at the very top, each at most once; any other line ends them.
  const seen = new Set<string>();
  for (; i < lines.length; i++) {
    const m = DIRECTIVE_RE.exec(lines[i]!);
    if (!m) break;
    const key = m[1]!.toLowerCase();
    if (seen.has(key)) throw new ContainerfileError(i + 1, `parser directive "${key}" given twice`);
    seen.add(key);
    if (key === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw new ContainerfileError(i + 1, `invalid escape character "${m[2]}": use \\ or \``);
      escape = m[2]!;
    }
  }
  const instructions: Instruction[] = [];
  while (i < lines.length) {
    const startLine = i + 1;
    const first = lines[i++]!;
    if (/^\s*(#|$)/.test(first)) continue;
    let joined = '';
    let current = first;
    for (;;) {
      const trimmed = current.replace(/\s+$/, '');
      if (!trimmed.endsWith(escape)) { joined += trimmed; break; }
      joined += trimmed.slice(0, -1);
      // comment and empty lines inside a continuation are dropped, as docker does
      while (i < lines.length && /^\s*(#|$)/.test(lines[i]!)) i++;
      if (i >= lines.length) break;
      current = lines[i++]!;
    }
    instructions.push(parseInstruction(joined.trim(), startLine));
  }
  if (!instructions.some((x) => x.name === 'FROM')) throw new ContainerfileError(1, 'no FROM instruction');
  const firstReal = instructions.find((x) => x.name !== 'ARG');
  if (firstReal && firstReal.name !== 'FROM') throw new ContainerfileError(firstReal.line, `${firstReal.name} before the first FROM (only ARG may come before it)`);
  return { escape, instructions };
}

function parseInstruction(text: string, line: number): Instruction {
  const m = /^(\S+)\s*(.*)$/s.exec(text)!;
  const word = m[1]!.toUpperCase();
  if (!(INSTRUCTIONS as readonly string[]).includes(word)) throw new ContainerfileError(line, `unknown instruction: ${m[1]}`);
  const name = word as InstructionName;
  let rest = m[2]!;
  const flags: Record<string, string> = {};
  if (WITH_FLAGS.has(name)) {
    for (let f = /^--([a-zA-Z][a-zA-Z0-9-]*)(?:=(\S*))?\s*/.exec(rest); f; f = /^--([a-zA-Z][a-zA-Z0-9-]*)(?:=(\S*))?\s*/.exec(rest)) {
      flags[f[1]!.toLowerCase()] = f[2] ?? 'true';
      rest = rest.slice(f[0].length);
    }
  }
  const inst: Instruction = { line, name, flags, args: rest.trim(), original: text };
  if (JSON_FORM.has(name) && inst.args.startsWith('[')) {
    const json = parseJsonArray(inst.args);
    if (json) inst.json = json;
  }
  checkArity(inst);
  return inst;
}

/** The exec form: a JSON array of strings. Anything else is shell form (docker's rule, so "[ -f x ]" still runs). */
function parseJsonArray(text: string): string[] | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

function checkArity(inst: Instruction): void {
  const fail = (msg: string) => { throw new ContainerfileError(inst.line, `${inst.name} ${msg}`); };
  const empty = inst.args === '' && !inst.json;
  switch (inst.name) {
    case 'FROM': {
      const words = inst.args.split(/\s+/).filter(Boolean);
      if (!(words.length === 1 || (words.length === 3 && words[1]!.toUpperCase() === 'AS'))) fail('expects an image and an optional "AS name"');
      break;
    }
    case 'COPY': case 'ADD': {
      const n = inst.json ? inst.json.length : inst.args.split(/\s+/).filter(Boolean).length;
      if (n < 2) fail('needs at least one source and a destination');
      for (const f of Object.keys(inst.flags)) {
        const known = inst.name === 'ADD' ? ['chown', 'chmod', 'checksum'] : ['from', 'chown', 'chmod'];
        if (!known.includes(f)) fail(`does not know the flag --${f}`);
      }
      break;
    }
    case 'RUN':
      for (const f of Object.keys(inst.flags)) fail(`does not know the flag --${f}`);
      if (empty) fail('needs a command');
      break;
    case 'SHELL':
      if (!inst.json || inst.json.length === 0) fail('needs a JSON array, e.g. SHELL ["/bin/sh", "-c"]');
      break;
    case 'HEALTHCHECK': {
      const kind = inst.args.split(/\s+/)[0]?.toUpperCase();
      if (kind !== 'NONE' && kind !== 'CMD') fail('expects NONE or CMD …');
      for (const f of Object.keys(inst.flags)) if (!['interval', 'timeout', 'start-period', 'start-interval', 'retries'].includes(f)) fail(`does not know the flag --${f}`);
      break;
    }
    case 'CMD': case 'ENTRYPOINT':
      break; // an empty CMD/ENTRYPOINT is allowed (clears it)
    default:
      if (empty) fail('needs an argument');
  }
}
