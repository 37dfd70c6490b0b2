/**
 * Nearest-neighbour coverage: the share of domain documents whose nearest reference document is
 * closer than the reference's own median nearest-neighbour distance (each reference document's
 * nearest other reference document). A domain drawn from the reference's distribution lands near
 * 0.5; a domain the reference does not cover lands near 0.
 */
import { median } from "../linalg/median.js";

export interface Coverage {
  coverage: number;
  /** The reference's median nearest-neighbour distance: the radius a domain doc must fall within. */
  radius: number;
  /** Median distance of a domain document to its nearest reference document. */
  medianDomainDistance: number;
}

export function nearestNeighbourCoverage(nnDomainToReference: Float64Array, nnReferenceToReference: Float64Array): Coverage {
  if (nnDomainToReference.length === 0 || nnReferenceToReference.length === 0) throw new RangeError("coverage needs non-empty samples");
  const radius = median(nnReferenceToReference);
  let inside = 0;
  for (let i = 0; i < nnDomainToReference.length; i++) if (nnDomainToReference[i] < radius) inside++;
  return { coverage: inside / nnDomainToReference.length, radius, medianDomainDistance: median(nnDomainToReference) };
}
