/**
 * The repository stand-in's schema check with a schema compiled once, as a registry holds it: ONE
 * xmllint process (`xmllint --noout --schema IHEXDSB.xsd f0 f1 … fN`) validates documents one after
 * the other, read from named pipes (FIFOs) that it opens in order — it reads and compiles the schema
 * once, then each document costs only its validation (~1 ms instead of ~10–40 ms for a process that
 * reads the schema again, plus its fork, which blocked the event loop while documents streamed in).
 *
 * Each document is followed by a tiny sentinel document in the next FIFO: the sentinel's verdict
 * line tells that xmllint is done with the document (a document that is not well-formed gets no
 * verdict line of its own). The verdict is exactly xmllint's: the same error lines as a one-shot
 * `xmllint --schema … -` (with the FIFO's name where that one says "-"). When a process has used its
 * FIFOs, the next one is started; if one fails, its pending documents are validated one-shot.
 * xmllint runs under `sh`, whose stdin is a pipe from this process: if this process dies, sh reads
 * EOF, ends xmllint (no orphan blocked on a FIFO) and removes the FIFOs.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SENTINEL = '<sentinel/>';

interface Pending {
  index: number;
  xml: string;
  lines: string[];
  resolve: (errors: string[]) => void;
}

/** Runs xmllint --schema on a document given on stdin; answers its error lines (empty: valid). */
export function xmllintOnce(xml: string, schema: string): Promise<string[]> {
  return new Promise((resolve) => {
    const child = execFile('xmllint', ['--noout', '--schema', schema, '-'], { maxBuffer: 4 * 1024 * 1024, timeout: 20_000 }, (err, _out, stderr) => {
      if (!err) return resolve([]);
      const lines = String(stderr)
        .split('\n')
        .filter((l) => l && !/validates$/.test(l) && !/fails to validate$/.test(l));
      resolve(lines.length ? lines : [String(err.message)]);
    });
    child.stdin?.end(xml);
  });
}

class Generation {
  readonly dir: string;
  readonly #fifos: string[];
  readonly #child: ChildProcess;
  #next = 0;
  /** Documents written, by FIFO index, until their verdict. */
  readonly #pending = new Map<number, Pending>();
  /** Writes one at a time: a writer waits in the thread pool until xmllint opens its FIFO. */
  #writes: Promise<void>;
  #writing: number | undefined;
  /** The document the last lines were about (continuation lines of a parser error follow it). */
  #current: Pending | undefined;
  #partial = '';
  #dead = false;

  constructor(
    private readonly schema: string,
    size: number,
    private readonly onDead: (left: Pending[]) => void,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'dsp-xsd-'));
    this.#fifos = Array.from({ length: size }, (_, i) => join(this.dir, String(i)));
    // One process started (sh), no synchronous mkfifo: sh makes the FIFOs, says so, then runs xmllint.
    // sh also removes the directory at the end, even when this process was killed without its exit
    // hook (sh's own messages go to /dev/null then: a write to the dead pipe would end it first).
    const script = 'd=$1; shift; mkfifo -m 600 "$@" || exit 1; echo ready; xmllint --noout --schema "$0" "$@" </dev/null & p=$!; exec 2>/dev/null; read _; kill $p; wait $p; rm -rf "$d"';
    this.#child = spawn('sh', ['-c', script, schema, this.dir, ...this.#fifos], { stdio: ['pipe', 'pipe', 'pipe'] });
    // No document is written before the FIFOs exist (opening a missing path would create a file).
    this.#writes = new Promise<void>((resolve) => {
      this.#child.stdout!.once('data', () => resolve());
      this.#child.once('exit', () => resolve());
    });
    this.#child.stderr!.setEncoding('utf8');
    this.#child.stderr!.on('data', (s: string) => this.#onStderr(s));
    this.#child.once('exit', () => this.#die());
    this.#child.once('error', () => this.#die());
    this.#child.stdin!.on('error', () => undefined);
    this.#child.unref();
    for (const s of [this.#child.stdin, this.#child.stdout, this.#child.stderr] as unknown as { unref?: () => void }[]) s.unref?.();
  }

  /** FIFOs left for documents (each takes two: the document and its sentinel). */
  get left(): number {
    return this.#dead ? 0 : this.#fifos.length - this.#next;
  }

  validate(xml: string): Promise<string[]> {
    const index = this.#next;
    this.#next += 2;
    return new Promise((resolve) => {
      this.#pending.set(index, { index, xml, lines: [], resolve });
      // Waiting for a verdict keeps the process alive; an idle validator does not.
      (this.#child.stderr as unknown as { ref?: () => void }).ref?.();
      this.#writes = this.#writes.then(() => this.#write(index, xml)).then(() => this.#write(index + 1, SENTINEL));
    });
  }

  async #write(i: number, text: string): Promise<void> {
    if (this.#dead) return;
    this.#writing = i;
    try {
      const fh = await open(this.#fifos[i]!, 'w');
      try {
        await fh.writeFile(text);
      } finally {
        await fh.close();
      }
    } catch {
      this.#die();
    } finally {
      this.#writing = undefined;
    }
  }

  #onStderr(s: string): void {
    const lines = (this.#partial + s).split('\n');
    this.#partial = lines.pop() ?? '';
    const prefix = `${this.dir}/`;
    for (const line of lines) {
      if (!line.startsWith(prefix)) {
        // A continuation line (the source excerpt and caret under a parser error).
        if (this.#current && line) this.#current.lines.push(line);
        continue;
      }
      const m = /^(\d+)/.exec(line.slice(prefix.length));
      if (!m) continue;
      const i = Number(m[1]);
      const rest = line.slice(prefix.length + m[1]!.length);
      if (i % 2 === 1) {
        // The sentinel after document i - 1: xmllint is done with it.
        this.#current = undefined;
        const p = this.#pending.get(i - 1);
        if (p && / (validates|fails to validate)$/.test(rest)) this.#settle(p);
        continue;
      }
      const p = this.#pending.get(i);
      this.#current = p;
      if (!p || / (validates|fails to validate)$/.test(rest)) continue;
      p.lines.push(`-${rest}`);
    }
  }

  #settle(p: Pending): void {
    this.#pending.delete(p.index);
    if (!this.#pending.size) (this.#child.stderr as unknown as { unref?: () => void }).unref?.();
    p.resolve(p.lines);
    if (this.left === 0 && !this.#pending.size) this.close();
  }

  #die(): void {
    if (this.#dead) return;
    const left = [...this.#pending.values()];
    this.#pending.clear();
    this.close();
    if (left.length) this.onDead(left);
  }

  close(): void {
    this.#dead = true;
    // A writer waiting for a reader that will not come: open the FIFO's other end to release it.
    if (this.#writing !== undefined) {
      try {
        closeSync(openSync(this.#fifos[this.#writing]!, constants.O_RDONLY | constants.O_NONBLOCK));
      } catch {
        /* already gone */
      }
    }
    // EOF on sh's stdin: sh ends xmllint, then itself (killing sh would leave xmllint behind).
    this.#child.stdin!.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Every open validator, closed when the process exits (FIFO directories removed, xmllint ended). */
const validators = new Set<SchemaValidator>();
process.once('exit', () => {
  for (const v of [...validators]) v.close();
});

export class SchemaValidator {
  #gen: Generation | undefined;
  readonly #all = new Set<Generation>();

  constructor(
    private readonly schema: string,
    private readonly fifos = 256,
  ) {
    validators.add(this);
  }

  /** Error lines of xmllint for the document (empty: valid). */
  validate(xml: string): Promise<string[]> {
    if (!this.#gen || this.#gen.left < 2) this.#gen = this.#start();
    return this.#gen.validate(xml);
  }

  /** Starts the process before the first document needs it (e.g. once an answer has gone). */
  prepare(): void {
    if (!this.#gen || this.#gen.left < 2) this.#gen = this.#start();
  }

  #start(): Generation {
    const g = new Generation(this.schema, this.fifos, (left) => {
      // A failed process: its pending documents get the one-shot check, nothing is answered unchecked.
      for (const p of left) void xmllintOnce(p.xml, this.schema).then(p.resolve);
    });
    this.#all.add(g);
    return g;
  }

  close(): void {
    for (const g of this.#all) g.close();
    this.#all.clear();
    this.#gen = undefined;
    validators.delete(this);
  }
}

