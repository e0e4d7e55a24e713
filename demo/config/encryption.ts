import env from '../start/env.ts'
import { defineConfig, drivers } from '@adonisjs/core/encryption'

/**
 * The app key encrypts the session cookie. djamazing derives the key that
 * signs protected links from the same keys: the first signs, all verify.
 */
const encryptionConfig = defineConfig({
  default: 'gcm',
  list: {
    gcm: drivers.aes256gcm({
      keys: [env.get('APP_KEY')],
      id: 'gcm',
    }),
  },
})

export default encryptionConfig

declare module '@adonisjs/core/types' {
  export interface EncryptorsList extends InferEncryptors<typeof encryptionConfig> {}
}
