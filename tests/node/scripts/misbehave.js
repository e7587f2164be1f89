"use strict";
// For tests of the runner itself (tests/node/test_node_runner.py): input { mode } makes the
// script hang, fail with the auth token on stderr, or print something that is not JSON.
const { run } = require("../emulator");

run(async (client, { mode }) => {
  if (mode === "hang") {
    await new Promise(() => setInterval(() => {}, 1000));
  }
  if (mode === "fail") {
    throw new Error(`refusing, token ${client.password}`);
  }
  if (mode === "no-json") {
    process.stdout.write("not json ");
    return undefined;
  }
  return { mode };
});
