/**
 * The IPsec plan of ipsec-tunnel: the sites, the ranges the operator wrote into the tunnel's
 * policies, and the SA's fixed parameters. The policies name fixed ranges, as an operator's
 * configuration does, rather than reading the world: a world that drifts from them (a subnet
 * renumbered, an endpoint moved abroad) is exactly what the checks must catch.
 */

/** The ranges of the world's zones; the policies below are written against the first three. */
export const cidrs = {
  siteA: '10.53.0.0/16',
  siteB: '10.54.0.0/16',
  siteBLab: '10.55.0.0/16',
  /** Where the policy-misses-a-subnet mutant renumbers site B's lab: a range no policy names. */
  siteBLabRenumbered: '10.58.0.0/16',
  exchangeA: '10.74.0.0/16',
  exchangeB: '10.75.0.0/16',
  foreign: '10.93.0.0/16',
} as const;

/** A site: its router (the tunnel's end there) and the zones (subnets) behind it. */
export interface Site {
  router: string;
  zones: readonly string[];
}

export const sites = {
  a: { router: 'gw-a', zones: ['site-a'] },
  b: { router: 'gw-b', zones: ['site-b', 'site-b-lab'] },
} as const satisfies Record<string, Site>;

/** The router between the two sites' uplinks: the exchange point, where the capture is taken. */
export const exchangeRouter = 'ixp';

/** The ranges each site router's policies protect, as the operator configured them. */
export const policyRanges: Readonly<Record<keyof typeof sites, readonly string[]>> = {
  a: [cidrs.siteA],
  b: [cidrs.siteB, cidrs.siteBLab],
};

/** The request id tying the policies' templates to the two SAs. */
export const reqid = 1;

/**
 * The SA's algorithm: AES-GCM with a 128-bit ICV (RFC 4106), as `ip xfrm` names it. Its key is
 * 36 bytes: a 256-bit AES key and the 4-byte salt.
 */
export const aead = { name: 'rfc4106(gcm(aes))', keyBytes: 36, icvBits: 128 } as const;
