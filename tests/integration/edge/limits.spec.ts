import { connect } from 'node:net'
import { test } from '@japa/runner'
import { cdnUrlFor } from '../../../src/cdn_url.ts'
import { CloudFrontSigner } from '../../../src/cloudfront/signer.ts'
import { NOW, RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import { startEdgeFixture, startSigningEdgeFixture, type EdgeFixture } from '../../helpers/edge.ts'

/*
 * Fidelity row 26: a URL of 8,192 bytes or more, or a request (path, query
 * and headers) over 20,480 bytes, is 413 and the connection is closed, on
 * every behavior, signed or not.
 */

type WireAnswer = { status: number; head: string; body: string; closedByServer: boolean }

/**
 * Sends one request exactly as written, on its own connection. Resolves
 * once the answer is complete: with `awaitClose`, only when the server
 * closes the connection (or, failing that, at a 5 s deadline, with
 * `closedByServer: false`).
 */
function exchange(url: string, request: string, awaitClose = false): Promise<WireAnswer> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    const chunks: Buffer[] = []
    let done = false
    const finish = (closedByServer: boolean) => {
      if (done) return
      done = true
      clearTimeout(deadline)
      socket.destroy()
      const text = Buffer.concat(chunks).toString('latin1')
      const split = text.indexOf('\r\n\r\n')
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]),
        head: text.slice(0, split),
        body: text.slice(split + 4),
        closedByServer,
      })
    }
    const deadline = setTimeout(() => finish(false), 5000)
    socket.on('data', (chunk) => {
      chunks.push(chunk)
      if (awaitClose) return
      const text = Buffer.concat(chunks).toString('latin1')
      const split = text.indexOf('\r\n\r\n')
      const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, split))?.[1]
      if (split !== -1 && length !== undefined && text.length - split - 4 >= Number(length)) {
        finish(false)
      }
    })
    socket.on('end', () => finish(true))
    socket.on('error', reject)
    socket.write(request)
  })
}

function requestOf(host: string, target: string, headers: [string, string][] = []) {
  const line = `GET ${target} HTTP/1.1\r\n`
  const lines = [['Host', host] as [string, string], ...headers]
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')
  return `${line}${lines}\r\n`
}

/**
 * A request of exactly `bytes` bytes (request line, headers, final blank
 * line), padded with one header.
 */
function requestOfSize(host: string, target: string, bytes: number) {
  const bare = requestOf(host, target, [['X-Pad', '']])
  return requestOf(host, target, [['X-Pad', 'p'.repeat(bytes - bare.length)]])
}

function assert413(assert: any, answer: WireAnswer) {
  assert.equal(answer.status, 413)
  assert.match(answer.head, /\r\ncontent-type: text\/html\r\n/i)
  assert.match(answer.head, /\r\nconnection: close\r\n/i)
  assert.include(answer.body, '<H1>413 ERROR</H1>')
  assert.isTrue(answer.closedByServer, 'the server closed the connection')
}

for (const signed of [false, true]) {
  test.group(
    `Edge | request limits, ${signed ? 'signed' : 'public'} behavior (row 26)`,
    (group) => {
      let fixture: EdgeFixture
      let host: string
      let prefix: string
      let signedUrl: string
      group.setup(async () => {
        if (signed) {
          const started = await startSigningEdgeFixture()
          fixture = started.fixture
          const signer = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem })
          signedUrl = signer.signUrl(cdnUrlFor(started.cdn, 'kept.txt'), {
            expiresIn: 60,
            now: NOW,
          })
        } else {
          fixture = await startEdgeFixture({ defaultBehavior: { signed: false } })
        }
        await fixture.put('kept.txt', 'kept')
        host = new URL(fixture.edge.url).host
        prefix = `${fixture.edge.url}/`
        return () => fixture.stop()
      })

      test('row 26: a URL of 8,192 bytes is 413 and the connection is closed', async ({
        assert,
      }) => {
        fixture.originRequests.length = 0
        const target = `/cdn/kept.txt?pad=`
        const url = `${prefix}kept.txt?pad=`
        const answer = await exchange(
          fixture.edge.url,
          requestOf(host, `${target}${'q'.repeat(8192 - url.length)}`),
          true
        )
        assert413(assert, answer)
        assert.deepEqual(fixture.originRequests, [])
        assert.equal(fixture.events.at(-1)?.reason, 'url-too-long')
      })

      test('row 26: a URL of 8,191 bytes is no 413', async ({ assert }) => {
        const url = `${prefix}kept.txt?pad=`
        const answer = await exchange(
          fixture.edge.url,
          requestOf(host, `/cdn/kept.txt?pad=${'q'.repeat(8191 - url.length)}`)
        )
        // Public: the query is not the key's business. Signed: no signature.
        assert.equal(answer.status, signed ? 403 : 200)
        assert.notMatch(answer.head, /\r\nconnection: close\r\n/i)
      })

      test('row 26: a request of 20,481 bytes is 413; one of 20,480 is served', async ({
        assert,
      }) => {
        const target = signed ? signedUrl.slice(fixture.edge.url.length - 4) : '/cdn/kept.txt'
        const over = await exchange(fixture.edge.url, requestOfSize(host, target, 20_481), true)
        assert413(assert, over)
        assert.equal(fixture.events.at(-1)?.reason, 'request-too-large')
        const at = await exchange(fixture.edge.url, requestOfSize(host, target, 20_480))
        assert.equal(at.status, 200)
        assert.equal(at.body, 'kept')
        assert.notMatch(at.head, /\r\nconnection: close\r\n/i)
      })
    }
  )
}
