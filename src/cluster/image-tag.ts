import { createHash } from 'node:crypto';

/**
 * An image's tag is a hash of what it is made from (its Dockerfile and the exact parent image),
 * so an unchanged Dockerfile on an unchanged parent is reused and any change rebuilds, with no
 * state kept outside the engine.
 */
export function contentTag(dockerfile: string, parentImageId: string): string {
  return createHash('sha256').update(dockerfile).update('\0').update(parentImageId).digest('hex').slice(0, 12);
}
