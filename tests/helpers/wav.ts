/**
 * A real PCM WAV file (RIFF, 16-bit mono): a rising tone of `seconds`,
 * so every second of it has different bytes. 44.1 kHz mono is 88.2 KB per
 * second: 90 s make a file large enough that Chromium does not buffer it
 * whole, and seeking far ahead needs a new `Range` request.
 */
export function makeWav(seconds: number, sampleRate = 44_100): Buffer {
  const samples = Math.round(seconds * sampleRate)
  const data = Buffer.alloc(samples * 2)
  let phase = 0
  for (let i = 0; i < samples; i++) {
    const frequency = 220 + (660 * i) / samples
    phase += (2 * Math.PI * frequency) / sampleRate
    data.writeInt16LE(Math.round(Math.sin(phase) * 12_000), i * 2)
  }
  const header = Buffer.alloc(44)
  header.write('RIFF', 0, 'latin1')
  header.writeUInt32LE(36 + data.length, 4)
  header.write('WAVE', 8, 'latin1')
  header.write('fmt ', 12, 'latin1')
  header.writeUInt32LE(16, 16) // fmt chunk size
  header.writeUInt16LE(1, 20) // PCM
  header.writeUInt16LE(1, 22) // mono
  header.writeUInt32LE(sampleRate, 24)
  header.writeUInt32LE(sampleRate * 2, 28) // bytes per second
  header.writeUInt16LE(2, 32) // block align
  header.writeUInt16LE(16, 34) // bits per sample
  header.write('data', 36, 'latin1')
  header.writeUInt32LE(data.length, 40)
  return Buffer.concat([header, data])
}
