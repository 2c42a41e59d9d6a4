// What every route module receives as its plugin options (a file of its own so that the route
// modules never import api/index.ts, which registers them).
import type { Control } from '../control.ts'
import type { Guard } from './auth.ts'

export interface ApiContext {
  readonly control: Control
  readonly guard: Guard
}
