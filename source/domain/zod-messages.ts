/**
 * English messages for zod, which ecp uses in its mini build: imported for this effect by each
 * module that makes schemas. The classic build binds some fifty methods onto every schema it
 * makes, and ecp makes its schemas at start-up: that was 17 ms of `ecp versions list` (and a
 * 135 KB chunk).
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());
