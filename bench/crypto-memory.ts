/**
 * Peak memory of sealing (issue 17): each variant in a fresh Node process (bench/crypto-memory-child.ts),
 * the same shared/container code the zimlet runs, on Node's WebCrypto. Peak = highest resident memory
 * seen while the message is created and sealed (sampled every millisecond and at every segment, and
 * the kernel's maxRSS), minus the resident memory just before: the message itself plus all that
 * sealing holds. Median of 3 processes per variant.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const CHILD = fileURLToPath(new URL('./crypto-memory-child.ts', import.meta.url));
export const MEMORY_MB = 25;
export const MEMORY_TARGET = 2.5;

async function once(variant: 'parts' | 'contiguous'): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, variant, String(MEMORY_MB)], { timeout: 120_000 });
  return (JSON.parse(stdout.trim().split('\n').pop()!) as { growth: number }).growth;
}

export async function runMemoryBench(): Promise<{ lines: string[]; pass: boolean }> {
  const size = MEMORY_MB * 1024 * 1024;
  const result: Record<string, number> = {};
  for (const variant of ['parts', 'contiguous'] as const) {
    const runs = [await once(variant), await once(variant), await once(variant)].sort((a, b) => a - b);
    result[variant] = runs[1]! / size;
  }
  const pass = result['parts']! <= MEMORY_TARGET;
  return {
    lines: [
      `Peak memory of sealing a ${MEMORY_MB} MiB message (the message included), Node ${process.version}, median of 3 processes:`,
      `  sealContainerParts (segments kept for upload): ${result['parts']!.toFixed(2)}x the message`,
      `  sealContainer (one contiguous file):           ${result['contiguous']!.toFixed(2)}x the message`,
      `target peak memory of sealing ${MEMORY_MB} MB as segments: ${result['parts']!.toFixed(2)}x its size (goal ≤ ${MEMORY_TARGET}x) ${pass ? 'PASS' : 'FAIL'}`,
    ],
    pass,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { lines, pass } = await runMemoryBench();
  for (const l of lines) console.log(l);
  process.exitCode = pass ? 0 : 1;
}
