/**
 * Where everything goes for a terminal size: the App draws with it and paging keys use it, so
 * both agree on how many rows a pane shows. Ink redraws the whole screen once output reaches the
 * terminal height, so the console uses rows - 1 lines.
 */
export interface Size {
  columns: number;
  rows: number;
}

export interface Layout {
  width: number;
  height: number;
  /** Too small to draw the panes: show a message instead. */
  tooSmall: boolean;
  headerHeight: number;
  bodyHeight: number;
  topHeight: number;
  bottomHeight: number;
  tenantsWidth: number;
  servicesWidth: number;
  historyWidth: number;
  logWidth: number;
  /** Table rows each pane shows (without its title, header and border lines). */
  visible: { tenants: number; services: number; history: number; log: number };
}

export const MIN_SIZE: Size = { columns: 60, rows: 16 };
const HEADER = 2;
const STATUS = 1;
const FOOTER = 1;
/** Title line + bottom border. */
const CHROME = 2;

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

export function layoutFor(size: Size): Layout {
  const width = Math.max(1, size.columns);
  const height = Math.max(1, size.rows - 1);
  const tooSmall = size.columns < MIN_SIZE.columns || size.rows < MIN_SIZE.rows;
  const bodyHeight = Math.max(0, height - HEADER - STATUS - FOOTER);
  const topHeight = Math.ceil(bodyHeight * 0.56);
  const bottomHeight = bodyHeight - topHeight;
  const tenantsWidth = clamp(Math.round(width * 0.22), 18, 34);
  const historyWidth = Math.round(width * 0.58);
  return {
    width,
    height,
    tooSmall,
    headerHeight: HEADER,
    bodyHeight,
    topHeight,
    bottomHeight,
    tenantsWidth,
    servicesWidth: width - tenantsWidth,
    historyWidth,
    logWidth: width - historyWidth,
    visible: {
      tenants: Math.max(1, topHeight - CHROME - 1),
      // header line + the selected row's health message
      services: Math.max(1, topHeight - CHROME - 2),
      history: Math.max(1, bottomHeight - CHROME - 1),
      log: Math.max(1, bottomHeight - CHROME),
    },
  };
}
