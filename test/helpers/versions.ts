/** Registers versions straight into a temp store, as `ecp versions register` + `status` would. */
import { newVersion } from '../../source/domain/versions.js';
import type { ImageVersion } from '../../source/domain/types.js';
import { Store } from '../../source/store/store.js';

export async function registerImages(
  dataDir: string,
  images: string[],
  over: Partial<Pick<ImageVersion, 'status' | 'securityScanResult'>> = { status: 'ready', securityScanResult: 'passed' },
): Promise<ImageVersion[]> {
  const store = new Store(dataDir);
  return store.update((data) =>
    images.map((image) => {
      const slash = image.lastIndexOf('/');
      const colon = image.lastIndexOf(':');
      const service = image.slice(slash + 1, colon);
      const tag = image.slice(colon + 1);
      const version = {
        ...newVersion(
          { serviceName: service, imageName: service, imageTag: tag, fullImageName: image, gitCommit: 'abc1234', gitBranch: 'main' },
          new Date(),
          new Set(data.versions.map((v) => v.id)),
        ),
        ...over,
      };
      data.versions.push(version);
      return version;
    }),
  );
}
