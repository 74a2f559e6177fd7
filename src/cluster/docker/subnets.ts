/**
 * Each cluster gets its own /24 so that nodes have fixed addresses (advertised to peers
 * instead of names, which the host cannot resolve). Pure so it can be tested without Docker.
 */
export const SUBNET_PREFIX = '10.213';

export interface Subnet {
  readonly cidr: string;
  readonly gateway: string;
  /** The address of node i (1-based). */
  address(index: number): string;
}

export function subnetAt(third: number): Subnet {
  const base = `${SUBNET_PREFIX}.${third}`;
  return { cidr: `${base}.0/24`, gateway: `${base}.1`, address: (i) => `${base}.${10 + i}` };
}

/** The first free /24 under the prefix given the subnets already in use, starting near `hint`. */
export function pickSubnet(inUse: readonly string[], hint: number): Subnet | undefined {
  const taken = new Set(inUse);
  for (let k = 0; k < 256; k++) {
    const third = (hint + k) % 256;
    const candidate = subnetAt(third);
    if (!taken.has(candidate.cidr)) return candidate;
  }
  return undefined;
}
