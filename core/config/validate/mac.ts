/** Number of bytes of a MAC-like string (`aa:bb:…`, `aa-bb-…`, `aabb.ccdd.eeff`), or undefined. */
export function macBytes(text: string): number | undefined {
  if (/^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2})*$/i.test(text)) {
    return (text.length + 1) / 3;
  }
  if (/^[0-9a-f]{4}(\.[0-9a-f]{4})*$/i.test(text)) {
    return ((text.length + 1) / 5) * 2;
  }
  return undefined;
}
