/**
 * Stands in for `views/noise/noise-client.ts` in the `<batch-lab>` library build: the noise
 * report is computed on the main thread, as the app itself does when its worker cannot start.
 */
import { buildNoiseReport, type NoiseReport, type NoiseRequest } from '../views/noise/noise-report';

export async function computeNoiseReport(request: NoiseRequest): Promise<NoiseReport> {
  return buildNoiseReport(request);
}
