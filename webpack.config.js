// Used by `nest build` for every app (nest-cli.json, webpackConfigPath): Nest's defaults plus a
// source map beside each bundle, so that stack traces, in the logs and in Sentry, name the
// TypeScript file and line once the runtime runs with --enable-source-maps.
'use strict';

module.exports = (options) => ({
  ...options,
  devtool: 'source-map',
  output: {
    ...options.output,
    // Absolute source paths: Node prints them as they are, and they name the real file.
    devtoolModuleFilenameTemplate: '[absolute-resource-path]',
  },
});
