import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import { E_DJAMAZING_INVALID_ARGUMENT, E_DJAMAZING_S3_REQUEST_FAILED } from '../errors.ts'
import type { ObjectStore, ObjectWrite, UploadedPart } from './types.ts'

const MiB = 1024 * 1024

/**
 * S3's limits: parts of 5 MiB to 5 GiB (the last may be smaller), at most
 * 10,000 of them, objects up to 5 TiB.
 */
export const MULTIPART_LIMITS = {
  minPartSize: 5 * MiB,
  maxPartSize: 5 * 1024 * MiB,
  maxParts: 10_000,
  maxObjectSize: 5 * 1024 * 1024 * MiB,
} as const

/**
 * The first part size when none is configured (the AWS CLI's default).
 */
export const DEFAULT_PART_SIZE = 8 * MiB

/**
 * Parts of one size double every this many parts when the length is unknown.
 */
const PARTS_PER_SIZE = 500

/**
 * The size of part `partNumber` (from 1) of an upload.
 *
 * - Length known: one size for every part, the larger of `partSize` and
 *   the length over 10,000 parts (rounded up to a MiB), so any object up
 *   to 5 TiB fits.
 * - Length unknown: `partSize` for the first 500 parts, then twice as much
 *   every 500 parts, capped at 5 GiB. Memory follows `partSize ×
 *   (queueSize + 1)` (the parts in flight and the next one) for streams up to
 *   500 parts (4 GiB at the default 8 MiB) and grows with the stream's
 *   length only past that; even from a 5 MiB start,
 *   10,000 parts hold more than 5 TiB (4.9 TiB by part 5,500, then 2.5 TiB
 *   more every 500 parts).
 */
export function partSizeFor(partNumber: number, partSize: number, length?: number): number {
  if (length !== undefined) {
    const spread = Math.ceil(length / MULTIPART_LIMITS.maxParts / MiB) * MiB
    return Math.min(MULTIPART_LIMITS.maxPartSize, Math.max(partSize, spread))
  }
  const doublings = Math.floor((partNumber - 1) / PARTS_PER_SIZE)
  return Math.min(MULTIPART_LIMITS.maxPartSize, partSize * 2 ** Math.min(doublings, 10))
}

export type MultipartSettings = {
  /**
   * The first part size, at least 5 MiB. Default 8 MiB.
   */
  partSize: number
  /**
   * Parts uploaded at once. Default 2.
   */
  queueSize: number
}

/**
 * The base64 SHA-256 of a part, sent with it so the store refuses a part
 * whose bytes changed on the way.
 */
export function sha256Base64(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64')
}

/**
 * Fills buffers of the wanted sizes from a stream, one copy per byte,
 * reading only when asked (backpressure: the stream pauses meanwhile).
 * A part's buffer is filled again once its upload has succeeded
 * (`recycle`): a fresh buffer of 8 MiB per part costs the process page
 * faults and garbage collection each time, and memory stays the same
 * (no more buffers than parts in flight, plus the one being filled).
 */
class PartReader {
  #iterator: AsyncIterator<Buffer>
  #rest: Buffer | undefined
  #done = false
  #spares: Buffer[] = []
  #own = new WeakSet<ArrayBufferLike>()
  #maxSpares: number

  constructor(stream: Readable, maxSpares: number) {
    this.#iterator = stream[Symbol.asyncIterator]()
    this.#maxSpares = maxSpares
  }

  /**
   * Gives back a part this reader filled, once nothing reads it any more.
   */
  recycle(part: Buffer) {
    if (!this.#own.has(part.buffer) || this.#spares.length >= this.#maxSpares) return
    this.#spares.push(Buffer.from(part.buffer, 0, part.buffer.byteLength))
  }

  #allocate(size: number): Buffer {
    let spare = this.#spares.pop()
    // Parts grow past 500 of them: smaller spares are dropped.
    while (spare && spare.length !== size) spare = this.#spares.pop()
    if (spare) return spare
    const part = Buffer.allocUnsafeSlow(size)
    this.#own.add(part.buffer)
    return part
  }

  /**
   * Up to `size` bytes; fewer only at the end of the stream (empty then).
   */
  async read(size: number): Promise<Buffer> {
    let part: Buffer | undefined
    let filled = 0
    while (filled < size) {
      let chunk = this.#rest
      this.#rest = undefined
      if (!chunk) {
        if (this.#done) break
        const next = await this.#iterator.next()
        if (next.done) {
          this.#done = true
          break
        }
        chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value
      }
      // A first chunk that is already the whole part is used as it is.
      if (filled === 0 && chunk.length === size) return chunk
      part ??= this.#allocate(size)
      const taken = Math.min(chunk.length, size - filled)
      chunk.copy(part, filled, 0, taken)
      filled += taken
      if (taken < chunk.length) this.#rest = chunk.subarray(taken)
    }
    return part ? part.subarray(0, filled) : Buffer.alloc(0)
  }

  stop() {
    void this.#iterator.return?.()
  }
}

/**
 * Uploads a stream of any length to `key` with bounded memory: a single
 * PUT when it holds less than one part, else a multipart upload with at
 * most `queueSize` parts in flight, each with its SHA-256. On any failure
 * (the stream, a part, `signal`) the parts in flight are cancelled and the
 * multipart upload is aborted before the error is raised: no incomplete
 * upload is left behind, and the object stored under the key before is
 * untouched.
 */
export async function putStreamInParts(
  store: Pick<
    ObjectStore,
    'bucket' | 'put' | 'createMultipart' | 'uploadPart' | 'completeMultipart' | 'abortMultipart'
  >,
  key: string,
  stream: Readable,
  write: ObjectWrite & { size?: number; signal?: AbortSignal },
  settings: MultipartSettings
): Promise<{ etag: string }> {
  const { size: length, signal, ...objectWrite } = write
  if (length !== undefined && !(length >= 0 && length <= MULTIPART_LIMITS.maxObjectSize)) {
    throw new E_DJAMAZING_INVALID_ARGUMENT([
      'size',
      `${length} is not a size S3 stores (0 to 5 TiB)`,
    ])
  }
  let sourceError: unknown
  const onError = (error: unknown) => (sourceError ??= error)
  stream.once('error', onError)
  // One buffer per part in flight, and the next part read meanwhile.
  const reader = new PartReader(stream, settings.queueSize + 1)
  const failure = (error: unknown) => {
    // Name the stream's own failure rather than what the upload made of it.
    if (sourceError !== undefined) {
      return new E_DJAMAZING_S3_REQUEST_FAILED(
        ['putStream', key, `the source stream failed: ${(sourceError as Error).message}`],
        { cause: sourceError }
      )
    }
    if (signal?.aborted) {
      return new E_DJAMAZING_S3_REQUEST_FAILED(['putStream', key, 'the upload was aborted'], {
        cause: signal.reason,
      })
    }
    return error
  }

  try {
    signal?.throwIfAborted()
    const first = await reader.read(partSizeFor(1, settings.partSize, length))
    signal?.throwIfAborted()
    if (first.length < partSizeFor(1, settings.partSize, length)) {
      return await store.put(key, first, objectWrite)
    }
    return await uploadParts(store, key, reader, first, objectWrite, settings, length, signal)
  } catch (error) {
    reader.stop()
    throw failure(error)
  } finally {
    stream.off('error', onError)
  }
}

type Part = { bytes: Buffer; checksumSha256: string }

async function readPart(reader: PartReader, size: number): Promise<Part> {
  const bytes = await reader.read(size)
  return { bytes, checksumSha256: sha256Base64(bytes) }
}

async function uploadParts(
  store: Parameters<typeof putStreamInParts>[0],
  key: string,
  reader: PartReader,
  first: Buffer,
  write: ObjectWrite,
  settings: MultipartSettings,
  length: number | undefined,
  signal: AbortSignal | undefined
): Promise<{ etag: string }> {
  const created = store.createMultipart(key, write)
  // The first part is hashed while the upload is created.
  let part: Part = { bytes: first, checksumSha256: sha256Base64(first) }
  const uploadId = await created
  const cancel = new AbortController()
  const onAbort = () => cancel.abort(signal!.reason)
  signal?.addEventListener('abort', onAbort, { once: true })
  const parts: UploadedPart[] = []
  const inFlight = new Set<Promise<void>>()
  let failed: { error: unknown } | undefined

  const send = (partNumber: number, { bytes, checksumSha256 }: Part) => {
    const upload = store
      .uploadPart(key, uploadId, partNumber, bytes, { checksumSha256, signal: cancel.signal })
      .then(
        (uploaded) => {
          parts.push(uploaded)
          // S3 has every byte of it (its answer carries its ETag).
          reader.recycle(bytes)
        },
        (error) => {
          failed ??= { error }
          cancel.abort(error)
        }
      )
      .finally(() => inFlight.delete(upload))
    inFlight.add(upload)
  }

  try {
    let partNumber = 1
    while (part.bytes.length > 0) {
      if (partNumber > MULTIPART_LIMITS.maxParts) {
        throw new E_DJAMAZING_S3_REQUEST_FAILED([
          'putStream',
          key,
          `the stream needs more than ${MULTIPART_LIMITS.maxParts} parts (over 5 TiB)`,
        ])
      }
      send(partNumber, part)
      partNumber += 1
      // The next part is read and hashed while the parts in flight upload,
      // so it leaves as soon as a slot frees up. A failed read is raised
      // once one has: an upload is never left waiting on it.
      const next = readPart(reader, partSizeFor(partNumber, settings.partSize, length))
      next.catch(() => {})
      while (inFlight.size >= settings.queueSize && !failed) await Promise.race(inFlight)
      if (failed) throw failed.error
      signal?.throwIfAborted()
      part = await next
    }
    await Promise.all(inFlight)
    if (failed) throw failed.error
    parts.sort((a, b) => a.partNumber - b.partNumber)
    return await store.completeMultipart(key, uploadId, parts)
  } catch (error) {
    cancel.abort(error)
    await Promise.all(inFlight)
    // Best effort: the first error is the one to report; an abort that
    // fails too is reported as its cause's sibling in the message.
    await store.abortMultipart(key, uploadId).catch((abortError: unknown) => {
      throw new E_DJAMAZING_S3_REQUEST_FAILED(
        [
          'putStream',
          key,
          `${(error as Error).message}; aborting multipart upload ${uploadId} failed too: ${(abortError as Error).message}`,
        ],
        { cause: error }
      )
    })
    throw error
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }
}
