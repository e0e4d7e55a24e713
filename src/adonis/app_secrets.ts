import type { ApplicationService } from '@adonisjs/core/types'
import { E_DJAMAZING_MISSING_APP_KEY } from '../errors.ts'

type KeyLike = string | { release(): string }

/**
 * The secrets protected links are signed with: the keys of the default
 * encryptor of `config/encryption.ts`, in order. The first signs, every
 * one verifies, so rotating the app key (prepending a new key) keeps the
 * links already handed out working until they expire.
 *
 * The links part derives its own HMAC key from each secret, so these keys
 * are never used as they are.
 */
export async function appSecrets(app: ApplicationService): Promise<string[]> {
  const provider = app.config.get<unknown>('encryption')
  if (!provider) {
    throw new E_DJAMAZING_MISSING_APP_KEY(['config/encryption.ts is missing'])
  }
  const { configProvider } = await import('@adonisjs/core')
  const config = (await configProvider.resolve(app, provider)) as {
    default?: string
    list: Record<string, { keys?: KeyLike[] }>
  } | null
  if (!config || !config.list) {
    throw new E_DJAMAZING_MISSING_APP_KEY(['config/encryption.ts does not use defineConfig()'])
  }
  const name = config.default ?? Object.keys(config.list)[0]
  const keys = (config.list[name]?.keys ?? [])
    .map((key) => (typeof key === 'string' ? key : key?.release?.()))
    .filter((key): key is string => typeof key === 'string' && key.length > 0)
  if (keys.length === 0) {
    throw new E_DJAMAZING_MISSING_APP_KEY([`the encryptor "${name}" has no keys`])
  }
  return keys
}
