/**
 * The part of autocannon's API the benchmarks use (it ships no types).
 */
declare module 'autocannon' {
  type Options = {
    url: string
    connections?: number
    duration?: number
    pipelining?: number
    headers?: Record<string, string>
    method?: string
    /**
     * Each request in turn; `setupRequest` may change it (e.g. its path).
     */
    requests?: {
      setupRequest?: (request: { path: string; [name: string]: unknown }) => {
        path: string
        [name: string]: unknown
      }
    }[]
  }
  type Result = {
    'requests': { average: number; total: number }
    '2xx': number
    '3xx': number
    '4xx': number
    '5xx': number
    'non2xx': number
    'errors': number
    'timeouts': number
  }
  function autocannon(options: Options): Promise<Result>
  export default autocannon
}
