import { contractBound } from './contract-bounds.ts';

/**
 * What the egress fence may cost (images/host/CONTRACT.md, "The network"): the contract states
 * the fence as a property, so that what it accepts is carried as the bare path would carry it.
 * egress-throughput measures it; a stack may hold itself to a higher ratio, never a lower one.
 */
export const fencedThroughputBound = contractBound({
  name: 'fencedThroughputRatio',
  description:
    "the fenced host's TCP throughput to a domestic destination, as a share of the same path's without the fence (the median of alternating iperf3 rounds' ratios, failed when it is below the bound at 95 % confidence)",
  unit: 'of the unfenced throughput',
  contract: 0.95,
  tighter: 'higher',
});
