/**
 * Inputs for the parsers: valid samples cut, flipped, spliced and stretched (most defects hide one
 * byte away from a valid input), plus bytes from nowhere. fast-check shrinks a failing input to a
 * small one, so a report names the few mutations that break a parser.
 */
import fc from 'fast-check';

/** Bytes that make parsers take other branches: DER tags and long lengths, MIME and XML delimiters. */
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xff, 0x30, 0x31, 0xa0, 0x04, 0x06, 0x0a, 0x0d, 0x2d, 0x3c, 0x3e, 0x26, 0x3d, 0x22];

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'cut'; at: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'repeat'; at: number; length: number; times: number };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position.map((p) => p), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.oneof(fc.constantFrom(...INTERESTING), fc.integer({ min: 0, max: 255 })) }),
  fc.record({ kind: fc.constant('cut' as const), at: position }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
  fc.record({ kind: fc.constant('repeat' as const), at: position, length: fc.integer({ min: 1, max: 32 }), times: fc.integer({ min: 2, max: 64 }) }),
) as fc.Arbitrary<Mutation>;

function apply(input: Uint8Array, m: Mutation): Uint8Array {
  const at = Math.floor(m.at * (input.length + 1));
  switch (m.kind) {
    case 'flip': {
      if (input.length === 0) return input;
      const out = input.slice();
      const i = Math.min(at, out.length - 1);
      out[i] = out[i]! ^ (1 << m.bit);
      return out;
    }
    case 'set': {
      if (input.length === 0) return Uint8Array.of(m.value);
      const out = input.slice();
      out[Math.min(at, out.length - 1)] = m.value;
      return out;
    }
    case 'cut':
      return input.subarray(0, at);
    case 'delete':
      return concat(input.subarray(0, at), input.subarray(at + m.length));
    case 'insert':
      return concat(input.subarray(0, at), m.bytes, input.subarray(at));
    case 'repeat': {
      const piece = input.subarray(at, at + m.length);
      return concat(input.subarray(0, at), ...Array.from({ length: m.times }, () => piece), input.subarray(at));
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A seed with 1–8 mutations (most of the cases), or random bytes (the rest). */
export function mutatedBytes(seeds: readonly Uint8Array[], maxRandom = 4096): fc.Arbitrary<Uint8Array> {
  // Plain copies: Buffer#slice is a view, and a flip must never reach the seed itself.
  const own = seeds.map((s) => new Uint8Array(s));
  const mutated = fc
    .tuple(fc.constantFrom(...own), fc.array(mutation, { minLength: 1, maxLength: 8 }))
    .map(([seed, ms]) => ms.reduce(apply, seed));
  return fc.oneof({ weight: 9, arbitrary: mutated }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: maxRandom }) });
}

/** The same for text inputs (XML): the seed's UTF-8 mutated, read back as UTF-8 (invalid bytes → U+FFFD). */
export function mutatedText(seeds: readonly string[]): fc.Arbitrary<string> {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const fragments = fc.constantFrom('<', '>', '</', '/>', '&', '&amp;', '&#0;', '&#x110000;', ']]>', '<![CDATA[', '<!--', '-->', '<?xml version="1.0"?>', 'xmlns:soap="x"', 'xmlns=""', '"', "'", '\u0000', '\uFFFE', '\uD800', 'é', '𝄞');
  const spliced = fc
    .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(position, fragments), { minLength: 1, maxLength: 6 }))
    .map(([seed, ins]) => ins.reduce((s, [p, frag]) => { const i = Math.floor(p * (s.length + 1)); return s.slice(0, i) + frag + s.slice(i); }, seed));
  const byteMutated = mutatedBytes(seeds.map((s) => enc.encode(s)), 2048).map((b) => dec.decode(b));
  return fc.oneof(spliced, byteMutated, fc.string({ maxLength: 512 }));
}
