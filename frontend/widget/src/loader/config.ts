/** What the gateway inlines into each tenant's loader. */
export interface LoaderConfig {
  key: string
  origin: string // Parley's origin: the panel's, exactly
  name: string
  color: string
  position: string // right or left
  launcherText: string
  greetingAnonymous: string
  greetingIdentified: string // may hold {name}
  greetingDelay: number // seconds; -1: no greeting bubble
  theme: string // auto, light or dark
  locale: string // "" follows the browser
  allowed: string[] // allowed origins; empty: any
}
