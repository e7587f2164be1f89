"use strict";
// Phone numbers: search (availablePhoneNumbers), buy, update, release. Input { areaCode }.
const { rejection, run } = require("../emulator");

run(async (client, { areaCode }) => {
  const country = await client.availablePhoneNumbers("US").fetch();
  const available = await client.availablePhoneNumbers("US").local.list({ areaCode, limit: 2 });
  const tollFree = await client.availablePhoneNumbers("US").tollFree.list({ limit: 1 });
  const bought = await client.incomingPhoneNumbers.create({
    phoneNumber: available[0].phoneNumber,
    smsUrl: "https://app.example.com/sms",
    voiceMethod: "GET",
  });
  const updated = await client.incomingPhoneNumbers(bought.sid).update({
    friendlyName: "support line",
    statusCallback: "https://app.example.com/status",
  });
  const taken = await rejection(
    client.incomingPhoneNumbers.create({ phoneNumber: available[0].phoneNumber }),
  );
  const released = await client.incomingPhoneNumbers(bought.sid).remove();
  const afterRelease = await rejection(client.incomingPhoneNumbers(bought.sid).fetch());
  return { country, available, tollFree, bought, updated, taken, released, afterRelease };
});
