/**
 * One measurement of bench/crypto-memory.ts in a fresh Node process: peak resident memory while
 * sealing a message of `mb` MiB with `variant` (parts = sealContainerParts, what an upload of the
 * segments needs; contiguous = sealContainer). Prints one JSON line.
 * Run: node --expose-gc --import tsx bench/crypto-memory-child.ts parts|contiguous <mb>
 */
import { sealContainer, sealContainerParts } from '../shared/container/container.ts';
import { SEND_SEGMENT_SIZE } from '../zimlets/regify/src/messages/segment.ts';

const variant = process.argv[2] === 'contiguous' ? 'contiguous' : 'parts';
const size = Number(process.argv[3] ?? 25) * 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

// Warm the code paths on a small message, then settle.
await sealContainerParts({ messageId: 'warm', keyService: 'https://esante.lu/soap', sender: 'bench@esante.lu', mime: new Uint8Array(1 << 20), key: new Uint8Array(32), segmentSize: SEND_SEGMENT_SIZE });
gc();
await new Promise((r) => setTimeout(r, 50));
gc();
const before = process.memoryUsage().rss;
const maxBefore = process.resourceUsage().maxRSS * 1024;

let peak = before;
const sample = () => {
  const rss = process.memoryUsage().rss;
  if (rss > peak) peak = rss;
};
const timer = setInterval(sample, 1);
// The message, as the zimlet holds it before sealing: part of what sealing a message needs.
const mime = new Uint8Array(size);
for (let i = 0; i < size; i += 65536) crypto.getRandomValues(mime.subarray(i, Math.min(size, i + 65536)));
sample();
const params = { messageId: 'bench', keyService: 'https://esante.lu/soap', sender: 'bench@esante.lu', mime, key: new Uint8Array(32), segmentSize: SEND_SEGMENT_SIZE, onProgress: sample };
const sealed = variant === 'parts' ? await sealContainerParts(params) : await sealContainer(params);
sample();
clearInterval(timer);
const maxAfter = process.resourceUsage().maxRSS * 1024;
// The kernel's own peak counts too when it rose during the run (a spike between two samples).
if (maxAfter > maxBefore) peak = Math.max(peak, maxAfter);
const length = 'length' in sealed ? sealed.length : 0;
console.log(JSON.stringify({ variant, size, before, peak, growth: peak - before, sealedLength: length }));
