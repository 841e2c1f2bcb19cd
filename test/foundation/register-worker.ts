/** Child process for the store tests: registers `count` versions of `service` through the Store. */
import { newVersion } from '../../source/domain/versions.js';
import { Store } from '../../source/store/store.js';

const [dataDir, service, countText, keepText] = process.argv.slice(2);
const store = new Store(dataDir!, Number(keepText ?? 50));
const count = Number(countText);
for (let i = 0; i < count; i += 1) {
  const tag = `w${process.pid}-${i}`;
  await store.update((data) => {
    data.versions.push(
      newVersion(
        { serviceName: service!, imageName: service!, imageTag: tag, fullImageName: `localhost:5000/ecp-ai/${service}:${tag}`, gitCommit: 'abc1234', gitBranch: 'main' },
        new Date(),
        new Set(data.versions.map((v) => v.id)),
      ),
    );
  });
  process.send?.({ written: i + 1 });
}
