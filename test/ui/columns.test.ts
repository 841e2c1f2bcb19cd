import { describe, expect, it } from 'vitest';
import { placeColumns } from '../../source/ui/render/columns.js';
import { SERVICE_COLUMNS } from '../../source/ui/render/service-row.js';

describe('the services table’s columns', () => {
  it('keeps MANIFEST TAG and LIVE TAG equally wide wherever their least widths fit, so one tag reads the same in both', () => {
    for (let width = 60; width <= 200; width += 1) {
      const placed = placeColumns(SERVICE_COLUMNS, width);
      const size = (id: string) => placed.find((c) => c.id === id)?.size;
      expect({ width, manifest: size('manifest') }).toEqual({ width, manifest: size('live') });
    }
  });
});
