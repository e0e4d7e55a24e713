/**
 * An HLS rendition as a packager writes it: a media playlist (RFC 8216)
 * and its MPEG-TS segments. Each segment is whole 188-byte transport
 * packets (sync byte 0x47), all null packets (PID 0x1FFF): a valid
 * transport stream with nothing to play in it, which is all a test of
 * who may fetch it needs.
 */
export function makeHlsFolder(segments: number): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:2',
    '#EXT-X-MEDIA-SEQUENCE:0',
  ]
  for (let index = 0; index < segments; index++) {
    const name = `segment-${String(index).padStart(3, '0')}.ts`
    lines.push('#EXTINF:2.000,', name)
    files.set(name, transportStream(index))
  }
  lines.push('#EXT-X-ENDLIST', '')
  files.set('index.m3u8', Buffer.from(lines.join('\n')))
  return files
}

function transportStream(seed: number): Buffer {
  const packets: Buffer[] = []
  for (let i = 0; i < 20; i++) {
    // Payload-only, continuity counter i; the payload varies with the segment.
    const packet = Buffer.alloc(188, (seed + i) & 0xff)
    packet.set([0x47, 0x1f, 0xff, 0x10 | (i & 0x0f)])
    packets.push(packet)
  }
  return Buffer.concat(packets)
}
