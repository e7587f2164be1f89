"use strict";
// Read every message three ways with a small page size: page() and nextPage() by hand,
// list() and each() (which follow next_page_uri themselves). Input { pageSize }.
const { run } = require("../emulator");

run(async (client, { pageSize }) => {
  const pages = [];
  let page = await client.messages.page({ pageSize });
  while (page) {
    pages.push({ sids: page.instances.map((m) => m.sid), nextPageUrl: page.nextPageUrl || null });
    page = await page.nextPage();
  }
  const listed = (await client.messages.list({ pageSize })).map((m) => m.sid);
  const limited = (await client.messages.list({ pageSize, limit: pageSize + 1 })).map((m) => m.sid);
  const each = [];
  await client.messages.each({ pageSize }, (m) => {
    each.push(m.sid);
  });
  return { pages, listed, limited, each };
});
