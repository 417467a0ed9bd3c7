// The reference layer's public surface: parse, format and match image references (pure, no I/O).
export * from './errors';
export * from './limits';
export * from './parse';
export * from './format';
export * from './glob';
export type { ImageRef, ImageMatcher } from './reference.types';
