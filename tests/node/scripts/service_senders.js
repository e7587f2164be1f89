"use strict";
// The ShortCodes and AlphaSenders pools of a Messaging Service, and a send through it, with
// twilio-node. Input { serviceSid, shortCodeSid }.
const { rejection, run } = require("../emulator");

run(async (client, { serviceSid, shortCodeSid }) => {
  const service = client.messaging.v1.services(serviceSid);
  const shortCode = await service.shortCodes.create({ shortCodeSid });
  const shortCodes = (await service.shortCodes.list()).map((s) => s.shortCode);
  const alpha = await service.alphaSenders.create({ alphaSender: "Acme" });
  const secondAlpha = await rejection(service.alphaSenders.create({ alphaSender: "Other" }));
  const alphaFetched = await service.alphaSenders(alpha.sid).fetch();
  const sent = await client.messages.create({
    messagingServiceSid: serviceSid,
    to: "+447700900123",
    body: "from the pool",
  });
  const removedAlpha = await service.alphaSenders(alpha.sid).remove();
  const removedShortCode = await service.shortCodes(shortCode.sid).remove();
  return { shortCode, shortCodes, alpha, secondAlpha, alphaFetched, sent, removedAlpha, removedShortCode };
});
