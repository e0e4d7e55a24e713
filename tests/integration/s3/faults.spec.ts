import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { test } from '@japa/runner'
import {
  closedPort,
  faultDriver,
  hangingServer,
  httpFaultServer,
  rejectionOf,
  s3ErrorXml,
} from '../../helpers/fault_servers.ts'

/**
 * S3 failing under the driver. Every endpoint here is a fake server on
 * loopback, because these are faults a real S3 (or s3rver) cannot be made
 * to produce on demand; the test names say so.
 */
test.group('Faults | S3 endpoint down or misbehaving (fake servers)', () => {
  test('refusing connections (closed port, fake): every operation fails fast with E_DJAMAZING_S3_REQUEST_FAILED and ECONNREFUSED as cause', async ({
    assert,
  }) => {
    const driver = faultDriver(await closedPort())
    const started = performance.now()
    const operations: [string, () => Promise<unknown>][] = [
      ['get', () => driver.get('a.txt')],
      ['getStream', () => driver.getStream('a.txt')],
      ['exists', () => driver.exists('a.txt')],
      ['getMetaData', () => driver.getMetaData('a.txt')],
      ['put', () => driver.put('a.txt', 'x')],
      ['delete', () => driver.delete('a.txt')],
      ['listAll', () => driver.listAll('')],
    ]
    for (const [name, operation] of operations) {
      const error = await rejectionOf(operation())
      assert.equal(error?.code, 'E_DJAMAZING_S3_REQUEST_FAILED', name)
      assert.include(error.message, `S3 ${name} of`, name)
      assert.equal(error.cause?.code, 'ECONNREFUSED', name)
      // The AWS SDK retried, as it does for connection errors (3 attempts).
      assert.equal(error.cause?.$metadata?.attempts, 3, name)
    }
    assert.isBelow(performance.now() - started, 20_000)
  })

  test('hanging (accepts, never answers; fake): the request timeout of requestHandler ends each attempt, then a named error', async ({
    assert,
  }) => {
    const server = await hangingServer()
    try {
      const driver = faultDriver(server.endpoint, {
        maxAttempts: 2,
        requestHandler: {
          connectionTimeout: 500,
          requestTimeout: 500,
          throwOnRequestTimeout: true,
        },
      })
      const started = performance.now()
      const error = await rejectionOf(driver.get('a.txt'))
      const elapsed = performance.now() - started
      assert.equal(error?.code, 'E_DJAMAZING_S3_REQUEST_FAILED')
      assert.equal(error.cause?.name, 'TimeoutError')
      assert.include(error.message, '500 ms requestTimeout')
      assert.equal(error.cause?.$metadata?.attempts, 2)
      assert.equal(server.count, 2)
      // Two attempts of 500 ms and the SDK's backoff between them: bounded,
      // no hang (a generous ceiling for a busy machine).
      assert.isBelow(elapsed, 30_000)
    } finally {
      await server.close()
    }
  })

  test('hanging (fake): getStream and put are bounded by the same timeout', async ({ assert }) => {
    const server = await hangingServer()
    try {
      const driver = faultDriver(server.endpoint, {
        maxAttempts: 1,
        requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
      })
      for (const operation of [() => driver.getStream('a.txt'), () => driver.put('a.txt', 'x')]) {
        const started = performance.now()
        const error = await rejectionOf(operation())
        assert.equal(error?.code, 'E_DJAMAZING_S3_REQUEST_FAILED')
        assert.equal(error.cause?.name, 'TimeoutError')
        assert.isBelow(performance.now() - started, 30_000)
      }
    } finally {
      await server.close()
    }
  })

  test(
    'answering {status} {code} (fake): retried as the AWS SDK does ({attempts} attempts), then a named error with the cause'
  )
    .with([
      { status: 503, code: 'SlowDown', attempts: 3, maxAttempts: undefined },
      { status: 500, code: 'InternalError', attempts: 3, maxAttempts: undefined },
      { status: 503, code: 'ServiceUnavailable', attempts: 5, maxAttempts: 5 },
    ])
    .run(async ({ assert }, { status, code, attempts, maxAttempts }) => {
      const server = await httpFaultServer((_req, res) => {
        res.writeHead(status, { 'content-type': 'application/xml' })
        res.end(s3ErrorXml(code, 'Please reduce your request rate.'))
      })
      try {
        const driver = faultDriver(server.endpoint, maxAttempts ? { maxAttempts } : {})
        const error = await rejectionOf(driver.get('report.pdf'))
        assert.equal(error?.code, 'E_DJAMAZING_S3_REQUEST_FAILED')
        assert.equal(
          error.message,
          `S3 get of "report.pdf" failed: ${code}: Please reduce your request rate.`
        )
        assert.equal(error.cause?.name, code)
        assert.equal(error.cause?.$metadata?.httpStatusCode, status)
        assert.equal(error.cause?.$metadata?.attempts, attempts)
        assert.equal(server.count, attempts)
      } finally {
        await server.close()
      }
    })
    .timeout(30_000)

  test('answering 503 twice, then the object (fake): the retry succeeds', async ({ assert }) => {
    const server = await httpFaultServer((_req, res, count) => {
      if (count <= 2) {
        res.writeHead(503, { 'content-type': 'application/xml' })
        return res.end(s3ErrorXml('SlowDown', 'Please reduce your request rate.'))
      }
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' })
      res.end('hello')
    })
    try {
      assert.equal(await faultDriver(server.endpoint).get('a.txt'), 'hello')
      assert.equal(server.count, 3)
    } finally {
      await server.close()
    }
  }).timeout(30_000)

  test('closing mid-body (headers and half of 1 MiB, then the socket is destroyed; fake): the stream errors, get is a named error, nothing crashes', async ({
    assert,
  }) => {
    const size = 1024 * 1024
    const server = await httpFaultServer((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(size),
        'etag': '"0123456789abcdef0123456789abcdef"',
      })
      res.write(Buffer.alloc(size / 2, 7), () => res.socket?.destroy())
    })
    const uncaught: unknown[] = []
    const onUncaught = (error: unknown) => uncaught.push(error)
    process.on('uncaughtException', onUncaught)
    try {
      const driver = faultDriver(server.endpoint, { maxAttempts: 1 })

      // The headers arrived: getStream resolves; reading the body fails.
      const stream = await driver.getStream('big.bin')
      let received = 0
      stream.on('data', (chunk: Buffer) => (received += chunk.length))
      const streamError = await rejectionOf(text(stream))
      assert.instanceOf(streamError, Error)
      assert.isBelow(received, size)
      assert.isTrue(stream.destroyed)

      // get and getBytes read the whole body: a named error with the cause.
      for (const operation of [() => driver.get('big.bin'), () => driver.getBytes('big.bin')]) {
        const error = await rejectionOf(operation())
        assert.equal(error?.code, 'E_DJAMAZING_S3_REQUEST_FAILED')
        assert.instanceOf(error.cause, Error)
      }
      // Every connection closed on the server's side, then one turn of the
      // event loop: a socket error nobody handled would be thrown by now.
      await server.close()
      await new Promise((resolve) => setImmediate(resolve))
      assert.deepEqual(uncaught, [])
    } finally {
      process.off('uncaughtException', onUncaught)
      await server.close()
    }
  })
  test('failing every part of a multipart upload with 500 (fake): putStream fails with a named error and aborts the upload', async ({
    assert,
  }) => {
    const seen: string[] = []
    const server = await httpFaultServer((req, res) => {
      const url = new URL(req.url!, 'http://s3')
      const xml = (status: number, body: string) => {
        res.writeHead(status, { 'content-type': 'application/xml' })
        res.end(body)
      }
      if (req.method === 'POST' && url.searchParams.has('uploads')) {
        seen.push('create')
        return xml(
          200,
          '<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>djamazing-test</Bucket><Key>big.bin</Key><UploadId>FAULT-UPLOAD</UploadId></InitiateMultipartUploadResult>'
        )
      }
      if (req.method === 'PUT' && url.searchParams.has('partNumber')) {
        seen.push('part')
        return xml(500, s3ErrorXml('InternalError', 'We encountered an internal error.'))
      }
      if (req.method === 'DELETE' && url.searchParams.get('uploadId') === 'FAULT-UPLOAD') {
        seen.push('abort')
        res.writeHead(204)
        return res.end()
      }
      seen.push(`${req.method} ${url.pathname}`)
      xml(400, s3ErrorXml('InvalidRequest', 'unexpected'))
    })
    try {
      const driver = faultDriver(server.endpoint, { maxAttempts: 2 })
      // 12 MiB of unknown length: at least two parts of 5 MiB.
      const chunk = Buffer.alloc(1024 * 1024, 1)
      const source = Readable.from(
        (function* () {
          for (let i = 0; i < 12; i++) yield chunk
        })()
      )
      const error = await rejectionOf(driver.putStream('big.bin', source))
      assert.equal(error?.code, 'E_DJAMAZING_S3_REQUEST_FAILED')
      assert.include(error.message, 'InternalError')
      assert.equal(error.cause?.name, 'InternalError')
      assert.equal(seen[0], 'create')
      assert.include(seen, 'part')
      // The multipart upload is aborted, so no parts are left behind.
      assert.include(seen, 'abort')
      // Nothing else: no CompleteMultipartUpload, no plain PutObject.
      assert.deepEqual(
        seen.filter((step) => !['create', 'part', 'abort'].includes(step)),
        []
      )
    } finally {
      await server.close()
    }
  }).timeout(30_000)
})
