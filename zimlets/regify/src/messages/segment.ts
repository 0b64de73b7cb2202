/**
 * Plaintext bytes per container segment when the zimlet seals a message (docs/container-format.md §6
 * allows 1 KiB–16 MiB; the library default is 1 MiB). Measured with `npm run bench:crypto` in
 * Chromium on the project machine: each WebCrypto call above a few hundred KiB gets markedly slower
 * per byte (copies between the page and Chromium's crypto thread), so 256 KiB segments encrypt and
 * decrypt several times faster than 1 MiB ones, for 16 bytes of tag per segment (0.006 %).
 * Readers need nothing: the segment size is in the header.
 */
export const SEND_SEGMENT_SIZE = 256 * 1024;
