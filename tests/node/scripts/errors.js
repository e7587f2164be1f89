"use strict";
// Twilio's error bodies as twilio-node's RestException. Input { from, badTo, to }.
const { emulatorClient, rejection, run } = require("../emulator");

run(async (client, { from, badTo, to }) => ({
  badTo: await rejection(client.messages.create({ to: badTo, from, body: "x" })),
  missingBody: await rejection(client.messages.create({ to, from })),
  unknownMessage: await rejection(client.messages(`SM${"0".repeat(32)}`).fetch()),
  unknownService: await rejection(client.messaging.v1.services(`MG${"0".repeat(32)}`).fetch()),
  wrongToken: await rejection(
    emulatorClient({ password: "0".repeat(32) }).api.v2010.accounts(client.accountSid).fetch(),
  ),
}));
