import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateCloudFrontKeyPair } from '../src/cloudfront/main.ts'

/**
 * What the demo keeps between runs, in `demo.json` in its data folder.
 * Plain-text passwords are fine here only because this is a demo on a
 * laptop: they are printed at every start.
 */
export type DemoState = {
  appKey: string
  keyPairId: string
  passwords: { alice: string; bob: string }
}

export type DemoData = DemoState & {
  directory: string
  s3Directory: string
  privateKeyFile: string
  publicKeyFile: string
  created: boolean
}

function randomPassword() {
  return randomBytes(9).toString('base64url')
}

/**
 * Opens the data folder, creating its secrets on first start: the app key,
 * the demo users' passwords, and a CloudFront key pair whose public key is
 * written next to the private one so anyone can verify a signed URL.
 */
export async function openDemoData(directory: string): Promise<DemoData> {
  const stateFile = join(directory, 'demo.json')
  const paths = {
    directory,
    s3Directory: join(directory, 's3'),
    privateKeyFile: join(directory, 'cloudfront-private-key.pem'),
    publicKeyFile: join(directory, 'cloudfront-public-key.pem'),
  }
  await mkdir(paths.s3Directory, { recursive: true })

  try {
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as DemoState
    return { ...state, ...paths, created: false }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }

  // RSA-2048, the key type every CloudFront guide and tool knows. A key
  // pair id is made up: CloudFront assigns it when the public key is
  // uploaded; here it only has to look like one.
  const { privateKey, publicKey } = await generateCloudFrontKeyPair('rsa')
  const keyPairId = `K${randomBytes(8).toString('hex').toUpperCase().slice(0, 13)}`
  await writeFile(paths.privateKeyFile, privateKey, { mode: 0o600 })
  await writeFile(paths.publicKeyFile, publicKey)

  const state: DemoState = {
    appKey: randomBytes(32).toString('base64url'),
    keyPairId,
    passwords: { alice: randomPassword(), bob: randomPassword() },
  }
  await writeFile(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 })
  return { ...state, ...paths, created: true }
}
