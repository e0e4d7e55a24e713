/**
 * The demo's sample stream: an HLS rendition (RFC 8216) of silent audio, a
 * media playlist and MPEG-TS segments (ISO/IEC 13818-1) carrying MPEG-1
 * Layer III frames, as a packager writes them. Players decode and play it
 * (hls.js in every browser with Media Source Extensions), and it needs no
 * encoder: a Layer III frame whose side information is all zero is
 * silence.
 */

/**
 * Where each user's sample stream lives, under the user's own folder.
 */
export const SAMPLE_STREAM_FOLDER = 'sample-stream/'

/**
 * 44.1 kHz, 128 kbit/s, mono: 1,152 samples (26.1 ms) and 417 bytes a frame.
 */
const SAMPLE_RATE = 44_100
const SAMPLES_PER_FRAME = 1152
const FRAME_BYTES = 417
/**
 * MPEG-1, Layer III, no CRC; 128 kbit/s, 44.1 kHz, no padding; mono.
 */
const FRAME_HEADER = [0xff, 0xfb, 0x90, 0xc4]

/**
 * The stream's PIDs: the program map table and the audio.
 */
const PMT_PID = 0x1000
const AUDIO_PID = 0x0101
const PACKET_BYTES = 188

/**
 * The 90 kHz clock of presentation time stamps.
 */
const PTS_HZ = 90_000

function silentFrame(): Buffer {
  const frame = Buffer.alloc(FRAME_BYTES)
  frame.set(FRAME_HEADER)
  return frame
}

/**
 * CRC-32/MPEG-2 of program-specific information sections.
 */
function crc32Mpeg(bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc ^= byte << 24
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1
    }
  }
  return crc >>> 0
}

/**
 * A program-specific information section (PAT or PMT) with its CRC.
 */
function section(tableId: number, idExtension: number, body: number[]): Buffer {
  const length = 5 + body.length + 4
  const head = [
    tableId,
    0xb0 | ((length >> 8) & 0x0f),
    length & 0xff,
    idExtension >> 8,
    idExtension & 0xff,
    0xc1, // version 0, current
    0x00,
    0x00,
  ]
  const bytes = Buffer.from([...head, ...body])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32Mpeg(bytes))
  return Buffer.concat([bytes, crc])
}

const PAT = section(0x00, 1, [0x00, 0x01, 0xe0 | (PMT_PID >> 8), PMT_PID & 0xff])
const PMT = section(0x02, 1, [
  0xe0 | (AUDIO_PID >> 8),
  AUDIO_PID & 0xff, // PCR on the audio PID
  0xf0,
  0x00, // no program descriptors
  0x03, // stream type: MPEG-1 audio
  0xe0 | (AUDIO_PID >> 8),
  AUDIO_PID & 0xff,
  0xf0,
  0x00,
])

/**
 * Splits a payload into transport packets of one PID, the first one
 * flagged as a unit start; the last is filled up with an adaptation field.
 */
function packets(pid: number, payload: Buffer, counter: { value: number }, psi: boolean) {
  const out: Buffer[] = []
  let data = psi ? Buffer.concat([Buffer.from([0x00]), payload]) : payload // pointer field
  let first = true
  while (data.length > 0) {
    const packet = Buffer.alloc(PACKET_BYTES, 0xff)
    const room = PACKET_BYTES - 4
    const take = Math.min(room, data.length)
    packet[0] = 0x47
    packet[1] = (first ? 0x40 : 0x00) | (pid >> 8)
    packet[2] = pid & 0xff
    if (take === room || psi) {
      packet[3] = 0x10 | (counter.value & 0x0f)
      data.copy(packet, 4, 0, take)
    } else {
      // Adaptation field of stuffing before the last bytes.
      const stuffing = room - take
      packet[3] = 0x30 | (counter.value & 0x0f)
      packet[4] = stuffing - 1
      if (stuffing > 1) packet[5] = 0x00
      data.copy(packet, 4 + stuffing, 0, take)
    }
    counter.value++
    out.push(packet)
    data = data.subarray(take)
    first = false
  }
  return out
}

function ptsBytes(pts: number): number[] {
  return [
    0x21 | ((Math.floor(pts / 2 ** 30) & 0x07) << 1),
    (pts >> 22) & 0xff,
    0x01 | (((pts >> 15) & 0x7f) << 1),
    (pts >> 7) & 0xff,
    0x01 | ((pts & 0x7f) << 1),
  ]
}

/**
 * One segment: PAT, PMT, then one PES packet per audio frame.
 */
function segment(firstFrame: number, frames: number): Buffer {
  const counters = { pat: { value: 0 }, pmt: { value: 0 }, audio: { value: 0 } }
  const out = [
    ...packets(0x0000, PAT, counters.pat, true),
    ...packets(PMT_PID, PMT, counters.pmt, true),
  ]
  const frame = silentFrame()
  for (let index = 0; index < frames; index++) {
    // One second later than zero, as packagers start, to keep PTS positive.
    const pts =
      PTS_HZ + Math.round(((firstFrame + index) * SAMPLES_PER_FRAME * PTS_HZ) / SAMPLE_RATE)
    const length = 3 + 5 + frame.length
    const pes = Buffer.concat([
      Buffer.from([0x00, 0x00, 0x01, 0xc0, length >> 8, length & 0xff, 0x80, 0x80, 0x05]),
      Buffer.from(ptsBytes(pts)),
      frame,
    ])
    out.push(...packets(AUDIO_PID, pes, counters.audio, false))
  }
  return Buffer.concat(out)
}

/**
 * The files of the stream by name: `index.m3u8` and `segment-000.ts`...,
 * `seconds` long in segments of about `segmentSeconds`.
 */
export function sampleStream(seconds = 12, segmentSeconds = 2): Map<string, Buffer> {
  const framesPerSegment = Math.round((segmentSeconds * SAMPLE_RATE) / SAMPLES_PER_FRAME)
  const count = Math.ceil(seconds / segmentSeconds)
  const duration = (framesPerSegment * SAMPLES_PER_FRAME) / SAMPLE_RATE
  const files = new Map<string, Buffer>()
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${Math.ceil(duration)}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
  ]
  for (let index = 0; index < count; index++) {
    const name = `segment-${String(index).padStart(3, '0')}.ts`
    files.set(name, segment(index * framesPerSegment, framesPerSegment))
    lines.push(`#EXTINF:${duration.toFixed(3)},`, name)
  }
  lines.push('#EXT-X-ENDLIST', '')
  files.set('index.m3u8', Buffer.from(lines.join('\n')))
  return files
}
