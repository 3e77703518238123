import type { Permissions, PikkuPermission, Services, Wire } from '../types'

/** Defines a permission check (identity at runtime; it types the arguments). */
export function pikkuPermission<In = any>(check: PikkuPermission<In>): PikkuPermission<In> {
  return check
}

/** Pikku's semantics: OR across keys, AND within an array. No permissions means allowed. */
export async function checkPermissions(permissions: Permissions, services: Services, data: unknown, wire: Wire): Promise<boolean> {
  const groups = Object.values(permissions)
  if (groups.length === 0) return true
  for (const group of groups) {
    const checks = Array.isArray(group) ? group : [group]
    let all = true
    for (const check of checks) {
      if (!(await check(services, data, wire))) {
        all = false
        break
      }
    }
    if (all) return true
  }
  return false
}
