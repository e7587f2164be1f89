"use strict";
// Fetch a message by SID: input { sid }; prints the message.
const { run } = require("../emulator");

run((client, { sid }) => client.messages(sid).fetch());
