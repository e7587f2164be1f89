"use strict";
// Send one SMS: input { to, from, body, statusCallback? }; prints the created message.
const { run } = require("../emulator");

run((client, { to, from, body, statusCallback }) =>
  client.messages.create({ to, from, body, statusCallback }),
);
