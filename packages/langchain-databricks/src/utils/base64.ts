/** The package's one set of base64 helpers; they work in every runtime (no Node `Buffer`). */

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Base64 of UTF-8 text (e.g. HTTP Basic credentials). */
export function base64Utf8(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}
