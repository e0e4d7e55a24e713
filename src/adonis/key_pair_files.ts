import { existsSync } from 'node:fs'
import { appendFile, chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import type { BaseCommand } from '@adonisjs/core/ace'
import { generateCloudFrontKeyPair, type CloudFrontKeyKind } from '../cloudfront/keys.ts'

/*
 * The CloudFront key pair of an app, as files in the app (`keys/` by
 * default): written by `node ace djamazing:keys`, and by
 * `node ace configure djamazing` when the app has none, so that the local
 * edge can check signed URLs from the first `node ace serve`.
 *
 * Paths are relative to the app root, and the disks resolve them from the
 * app root (`app.makePath`). `node ace build` copies the folder into
 * `build/` (a `metaFiles` entry of adonisrc.ts), so an app started from
 * `build/` finds its key there; the entry reloads the server, so
 * `node ace serve` restarts with a new key (the disks read it at boot).
 */

export const DEFAULT_KEY_FOLDER = 'keys'
export const PRIVATE_KEY_FILE = 'cloudfront_private_key.pem'
export const PUBLIC_KEY_FILE = 'cloudfront_public_key.pem'

/**
 * Adds `entry` to the app's `.gitignore` (creating it) unless a line
 * already names it, with or without leading and trailing slashes.
 */
export async function ignoreInGit(appRoot: string, entry: string, comment: string) {
  const path = join(appRoot, '.gitignore')
  const text = existsSync(path) ? await readFile(path, 'utf8') : ''
  const bare = (line: string) => line.trim().replace(/^\/+|\/+(\*\*?)?$/g, '')
  if (text.split('\n').some((line) => bare(line) === bare(entry))) return false
  const separator = text === '' ? '' : text.endsWith('\n') ? '\n' : '\n\n'
  await appendFile(path, `${separator}# ${comment}\n${entry}\n`)
  return true
}

/**
 * Sets the variables of `.env` that are empty or missing; a value already
 * there is never replaced. Returns the names it set. The rest of the file
 * keeps its bytes.
 */
export async function fillEmptyEnvValues(appRoot: string, values: Record<string, string>) {
  const path = join(appRoot, '.env')
  let text = existsSync(path) ? await readFile(path, 'utf8') : ''
  const filled: string[] = []
  for (const [name, value] of Object.entries(values)) {
    const line = new RegExp(`^${name}=(.*)$`, 'm').exec(text)
    if (line && !['', '""', "''"].includes(line[1].trim())) continue
    text = line
      ? text.replace(line[0], `${name}=${value}`)
      : `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${name}=${value}\n`
    filled.push(name)
  }
  if (filled.length > 0) await writeFile(path, text)
  return filled
}

export type KeyPairOptions = {
  kind: CloudFrontKeyKind
  /**
   * The folder, relative to the app root.
   */
  folder: string
  force: boolean
}

/**
 * Writes a new key pair into the app, keeps the folder out of git, has
 * `node ace build` copy it, and fills `CLOUDFRONT_PRIVATE_KEY_FILE` in
 * `.env` when it is empty. Returns the private key's path relative to the
 * app root, or null (after logging why) when one exists and `force` is off.
 */
export async function writeKeyPair(
  command: BaseCommand,
  { kind, folder, force }: KeyPairOptions
): Promise<string | null> {
  const appRoot = command.app.makePath()
  const directory = command.app.makePath(folder)
  const privatePath = join(directory, PRIVATE_KEY_FILE)
  const privateFile = relative(appRoot, privatePath)
  const taken = () => {
    command.logger.error(
      `${privateFile} already exists. Pass --force to replace it (links signed with it stop working once CloudFront no longer trusts it)`
    )
    return null
  }
  if (!force && existsSync(privatePath)) return taken()

  const pair = await generateCloudFrontKeyPair(kind)
  await mkdir(directory, { recursive: true })
  // The private key is a credential: readable by the owner only. Created
  // exclusively: of two runs at once, one writes the pair, and the
  // public key on disk is always the private key's.
  try {
    await writeFile(privatePath, pair.privateKey, { mode: 0o600, flag: force ? 'w' : 'wx' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return taken()
    throw error
  }
  await chmod(privatePath, 0o600)
  await writeFile(join(directory, PUBLIC_KEY_FILE), pair.publicKey)
  command.logger.action(`create ${privateFile}`).succeeded()
  command.logger.action(`create ${relative(appRoot, join(directory, PUBLIC_KEY_FILE))}`).succeeded()

  const folderEntry = `/${relative(appRoot, directory)}/`
  if (await ignoreInGit(appRoot, folderEntry, 'CloudFront key pair (node ace djamazing:keys)')) {
    command.logger.action(`update .gitignore (${folderEntry})`).succeeded()
  }
  if (existsSync(join(appRoot, 'adonisrc.ts'))) {
    const codemods = await command.createCodemods()
    await codemods.updateRcFile((rcFile) => {
      rcFile.addMetaFile(`${relative(appRoot, directory)}/**`, true)
    })
  }
  const filled = await fillEmptyEnvValues(appRoot, { CLOUDFRONT_PRIVATE_KEY_FILE: privateFile })
  if (filled.length > 0) command.logger.action(`update .env (${filled.join(', ')})`).succeeded()
  return privateFile
}
