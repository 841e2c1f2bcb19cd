/** Registers versions straight into a temp store, as `ecp versions register` + `status` would. */
import { parseImageRef } from '../../source/domain/names.js';
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
      const ref = parseImageRef(image);
      const service = ref.path.slice(ref.path.lastIndexOf('/') + 1);
      const tag = ref.tag!;
      const version = {
        ...newVersion({ serviceName: service, imageName: service, imageTag: tag, fullImageName: image, gitCommit: 'abc1234', gitBranch: 'main' }, new Date(), new Set(data.versions.map((v) => v.id))),
        ...over,
      };
      data.versions.push(version);
      return version;
    }),
  );
}
