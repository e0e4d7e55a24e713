import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'

/**
 * A deterministic pseudo-random stream of `size` bytes, of unknown length
 * to its consumer (a plain Readable, no length anywhere), made 64 KiB at a
 * time so the test holds no more than that. `digest()` gives the SHA-256 of
 * what was produced once the stream has ended.
 */
export function deterministicStream(size: number, seed = 1) {
  const hash = createHash('sha256')
  let produced = 0
  let state = seed >>> 0 || 1
  const chunkSize = 64 * 1024
  const stream = new Readable({
    read() {
      if (produced >= size) {
        this.push(null)
        return
      }
      const length = Math.min(chunkSize, size - produced)
      const words = new Uint32Array(Math.ceil(length / 4))
      for (let i = 0; i < words.length; i++) {
        // xorshift32: fast, and the same bytes on every run.
        state ^= state << 13
        state ^= state >>> 17
        state ^= state << 5
        words[i] = state >>> 0
      }
      const chunk = Buffer.from(words.buffer, 0, length)
      hash.update(chunk)
      produced += length
      this.push(chunk)
    },
  })
  return {
    stream,
    digest: () => {
      if (produced < size) throw new Error('the stream has not ended')
      return hash.copy().digest('hex')
    },
  }
}

export async function sha256Of(stream: Readable): Promise<{ hash: string; bytes: number }> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of stream) {
    hash.update(chunk)
    bytes += chunk.length
  }
  return { hash: hash.digest('hex'), bytes }
}

/**
 * Samples the process RSS every `ms` while `work` runs: the peak over the
 * RSS just before it started, in bytes.
 */
export async function rssGrowth<T>(work: () => Promise<T>, ms = 20) {
  const baseline = process.memoryUsage.rss()
  let peak = baseline
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, ms)
  try {
    const result = await work()
    peak = Math.max(peak, process.memoryUsage.rss())
    return { result, growth: peak - baseline, peak }
  } finally {
    clearInterval(timer)
  }
}

/**
 * `size` bytes of a deterministic stream, then an error: a client that
 * hangs up mid-upload.
 */
export function failingStream(size: number) {
  const { stream } = deterministicStream(size, 7)
  return Readable.from(
    (async function* () {
      for await (const chunk of stream) yield chunk
      throw new Error('client hung up')
    })()
  )
}
