// @ts-check
/**
 * Draws the zimlets' 16×16 panel icons as real PNG files with node:zlib (no image tools, no
 * downloads). Each icon is a rounded square in the zimlet's colour with a white pictogram drawn
 * from a 16-line mask ('#' = pictogram pixel).
 */
import { deflateSync } from 'node:zlib';

/** @type {Uint32Array} */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as PNG chunks need it (ISO 3309, same as zlib's). @param {Buffer} buf */
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = /** @type {number} */ (CRC_TABLE[(c ^ byte) & 0xff]) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** @param {string} type @param {Buffer} data */
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/**
 * Encodes RGBA pixels (row-major, 4 bytes each) as a PNG.
 * @param {number} width @param {number} height @param {Uint8Array} rgba
 */
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** 16-line masks of the pictograms. */
export const PICTOGRAMS = {
  // padlock: encrypted messages
  regify: [
    '................', '................', '......####......', '.....#....#.....',
    '....#......#....', '....#......#....', '....#......#....', '...##########...',
    '...##########...', '...####..####...', '...####..####...', '...#####.####...',
    '...##########...', '...##########...', '................', '................',
  ],
  // magnifier: directory search
  prosearch: [
    '................', '................', '.....####.......', '....#....#......',
    '...#......#.....', '...#......#.....', '...#......#.....', '...#......#.....',
    '....#....#......', '.....#####......', '.........###....', '..........###...',
    '...........###..', '............##..', '................', '................',
  ],
  // medical cross: DSP assistant
  medical: [
    '................', '................', '......####......', '......####......',
    '......####......', '......####......', '..############..', '..############..',
    '..############..', '..############..', '......####......', '......####......',
    '......####......', '......####......', '................', '................',
  ],
  // shield: security manager
  security: [
    '................', '................', '.......##.......', '.....######.....',
    '...##########...', '...##########...', '...##########...', '...##########...',
    '...##########...', '....########....', '....########....', '.....######.....',
    '......####......', '.......##.......', '................', '................',
  ],
  // camera: web conference
  webex: [
    '................', '................', '................', '................',
    '..########......', '..########..#...', '..########.##...', '..###########...',
    '..###########...', '..########.##...', '..########..#...', '..########......',
    '................', '................', '................', '................',
  ],
};

/** Zimlet colours (eSanté blue family, one hue per zimlet so the accordion stays readable). */
export const COLOURS = {
  regify: [0x00, 0x5e, 0xa8],
  prosearch: [0x00, 0x7a, 0x87],
  medical: [0xc6, 0x28, 0x28],
  security: [0x2e, 0x7d, 0x32],
  webex: [0x5e, 0x35, 0xb1],
};

/**
 * The icon of one zimlet: rounded square in its colour, white pictogram.
 * @param {keyof typeof PICTOGRAMS} short
 */
export function zimletIcon(short) {
  const mask = PICTOGRAMS[short];
  const [r, g, b] = COLOURS[short];
  const size = 16;
  const rgba = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const corner = (x === 0 || x === size - 1) && (y === 0 || y === size - 1);
      if (corner) continue; // transparent rounded corners
      const on = mask[y]?.[x] === '#';
      rgba[i] = on ? 255 : r;
      rgba[i + 1] = on ? 255 : g;
      rgba[i + 2] = on ? 255 : b;
      rgba[i + 3] = 255;
    }
  }
  return encodePng(size, size, rgba);
}
