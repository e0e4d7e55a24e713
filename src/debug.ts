import { debuglog } from 'node:util'

/**
 * `NODE_DEBUG=djamazing` prints one line per operation. Never pass
 * credentials, private keys or signed URLs to it: log the disk, the
 * bucket and the key instead.
 */
export default debuglog('djamazing')
