// Screenshots of every screen, desktop-sized and phone-sized, numbered in the order the
// test meets them, into the folder the README names (SCREENSHOTS overrides it).
//
// Env: BACKEND (sqlite | postgres), SCREENSHOTS (folder).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHOTS = process.env.SCREENSHOTS || fileURLToPath(new URL('./screenshots', import.meta.url));
mkdirSync(SHOTS, { recursive: true });
const BACKEND = process.env.BACKEND || 'sqlite';

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE_SIZE = { width: 360, height: 740 };

let step = 0;
/**
 * The screen as it is, desktop-sized then phone-sized: `BACKEND-PREFIXNN-NAME-desktop.png`
 * and `…-phone.png`. `check(size)` runs at each size before its picture (axe, say). The page
 * is left at the size it had.
 */
export async function shot(page, name, prefix = '', check = async () => {}) {
  step += 1;
  const was = page.viewportSize();
  // From the top: a whole page taken while scrolled draws the sticky bar mid-page.
  const scrolled = await page.evaluate(() => window.scrollY);
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE_SIZE]]) {
    await page.setViewportSize(viewport);
    await check(size);
    await page.evaluate(() => window.scrollTo(0, 0));
    const file = `${BACKEND}-${prefix}${String(step).padStart(2, '0')}-${name}-${size}.png`;
    await page.screenshot({ path: join(SHOTS, file), fullPage: true });
  }
  if (was) await page.setViewportSize(was);
  await page.evaluate((y) => window.scrollTo(0, y), scrolled);
}
