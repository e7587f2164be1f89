"use strict";
// Date filters as twilio-node sends them (Date objects as ISO 8601 date-times: DateSent>,
// StartTime>, EndTime<), a message scheduled through a Messaging Service (sendAt a Date) and
// canceled, previousPage() on both page envelopes, a call's recording.
// Input { to, from, callFrom }.
const { run, settle } = require("../emulator");

const MINUTE = 60 * 1000;
const shift = (date, ms) => new Date(date.getTime() + ms);
const sids = (items) => items.map((item) => item.sid);

run(async (client, { to, from, callFrom }) => {
  const sms = await client.messages.create({ to, from, body: "dated" });
  const call = await client.calls.create({
    to,
    from: callFrom,
    twiml: '<Response><Record maxLength="2"/></Response>',
  });
  await settle(client);
  const { dateSent } = await client.messages(sms.sid).fetch();
  const { startTime, endTime } = await client.calls(call.sid).fetch();
  const messages = {
    sentAfterEarlier: sids(await client.messages.list({ dateSentAfter: shift(dateSent, -MINUTE) })),
    sentAfterLater: sids(await client.messages.list({ dateSentAfter: shift(dateSent, MINUTE) })),
    sentBeforeLater: sids(await client.messages.list({ dateSentBefore: shift(dateSent, MINUTE) })),
    sentOnTheDay: sids(await client.messages.list({ dateSent })),
  };
  const calls = {
    startedAfterEarlier: sids(await client.calls.list({ startTimeAfter: shift(startTime, -MINUTE) })),
    startedAfterLater: sids(await client.calls.list({ startTimeAfter: shift(startTime, MINUTE) })),
    endedBeforeLater: sids(await client.calls.list({ endTimeBefore: shift(endTime, MINUTE) })),
  };
  const recordings = await client.calls(call.sid).recordings.list();

  const service = await client.messaging.v1.services.create({ friendlyName: "Scheduled" });
  const [number] = await client.incomingPhoneNumbers.list({ phoneNumber: from });
  await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
  const scheduled = await client.messages.create({
    to,
    messagingServiceSid: service.sid,
    body: "in an hour",
    scheduleType: "fixed",
    sendAt: shift(new Date(), 60 * MINUTE),
  });
  const canceled = await client.messages(scheduled.sid).update({ status: "canceled" });

  for (const name of ["two", "three"]) {
    await client.messaging.v1.services.create({ friendlyName: name });
  }
  const v1First = await client.messaging.v1.services.page({ pageSize: 2 });
  const v1Back = await (await v1First.nextPage()).previousPage();
  const first = await client.messages.page({ pageSize: 1 });
  const back = await (await first.nextPage()).previousPage();
  return {
    sms: sms.sid,
    call: call.sid,
    messages,
    calls,
    recordings,
    scheduled,
    canceled,
    pagesBack: {
      v1: [sids(v1First.instances), sids(v1Back.instances)],
      v2010: [sids(first.instances), sids(back.instances)],
    },
  };
});
