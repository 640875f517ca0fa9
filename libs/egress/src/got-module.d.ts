// got 14 publishes its types only through package.json "exports", which
// TypeScript ignores under `"moduleResolution": "node"`. This declaration
// points the `got` specifier at the same declaration files.
declare module 'got' {
  export * from 'got/dist/source/index';
  export { default } from 'got/dist/source/index';
}
