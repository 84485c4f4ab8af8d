// A researcher's walk with a TypeScript client: openapi-typescript's types of the committed
// schema, openapi-fetch's calls, run by node against a live server (tests/sdk/test_typescript_client.py).
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type ErrorResponse = components["schemas"]["ErrorResponse"];

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`walk: ${message}`);
}

// A JSON answer: the client is typed for application/json alone (below), although the quotes
// list also answers CSV and lists and details schema.org JSON-LD.
function json<T>(data: T | string | undefined): T {
  check(data !== undefined && typeof data !== "string", "a JSON answer");
  return data;
}

const baseUrl = process.env.BASE_URL!;
// The media type: the operations that also answer text/csv or application/ld+json would
// otherwise type their data as a union of each media type's schema.
const client = createClient<paths, "application/json">({
  baseUrl,
  headers: { Authorization: `Token ${process.env.TOKEN}` },
});

// List by speaker and follow the cursors to the end.
const seen: number[] = [];
let cursor: string | undefined;
let pages = 0;
for (;;) {
  const page = await client.GET("/api/v1/quotes/", {
    params: { query: { speaker: ["dmitry-peskov"], page_size: 2, cursor } },
  });
  const data = json(page.data);
  pages += 1;
  for (const quote of data.results) {
    check(quote.speaker.slug === "dmitry-peskov", `speaker ${quote.speaker.slug}`);
    seen.push(quote.id);
  }
  if (data.next_cursor === null) break;
  cursor = data.next_cursor;
}
check(new Set(seen).size === 5 && pages === 3, `${seen.length} quotes in ${pages} pages`);

// Search, and a random draw among the speaker's quotes.
const found = await client.GET("/api/v1/quotes/", { params: { query: { q: "obsolete" } } });
check(json(found.data).results[0]?.text === "obsolete", "search");
const drawn = await client.GET("/api/v1/quotes/random/", {
  params: { query: { speaker: ["dmitry-peskov"] } },
});
check(drawn.data !== undefined && seen.includes(drawn.data.id), "random");

// A treaty with its status events.
const treaties = await client.GET("/api/v1/treaties/", { params: { query: { q: "INF" } } });
const inf = treaties.data?.results[0];
check(inf !== undefined, "treaty search");
const treaty = await client.GET("/api/v1/treaties/{id}/", { params: { path: { id: inf.id } } });
check(treaty.data?.status_events[0]?.kind === "signed", "status events");

// Create, update with If-Match, and be refused with a stale one.
const sources = await client.GET("/api/v1/sources/", { params: { query: { q: "Dominating" } } });
const sourceId = sources.data?.results[0]?.id;
check(sourceId !== undefined, "source");
const source = await client.GET("/api/v1/sources/{id}/", { params: { path: { id: sourceId } } });
const speakers = await client.GET("/api/v1/speakers/", {
  params: { query: { slug: "russian-foreign-ministry" } },
});
const speakerId = speakers.data?.results[0]?.id;
check(source.data !== undefined && speakerId !== undefined, "source and speaker");
const words = "dominate global affairs";
const start = source.data.text.indexOf(words);
const created = await client.POST("/api/v1/quotes/", {
  body: {
    text: words,
    kind: "fragment",
    speaker: speakerId,
    source: sourceId,
    start,
    end: start + words.length,
  },
});
check(created.response.status === 201 && created.data !== undefined, "create");
const etag = created.response.headers.get("ETag")!;
const id = created.data.id;

const updated = await client.PATCH("/api/v1/quotes/{id}/", {
  params: { path: { id }, header: { "If-Match": etag } },
  body: { note: "First note." },
});
check(updated.response.status === 200 && updated.data?.note === "First note.", "update");

const stale = await client.PATCH("/api/v1/quotes/{id}/", {
  params: { path: { id }, header: { "If-Match": etag } },
  body: { note: "Lost update." },
});
check(stale.response.status === 412, `stale If-Match: ${stale.response.status}`);
const refused: ErrorResponse | undefined = stale.error;
check(refused?.type === "client_error", "error type");
check(refused.errors[0]?.code === "precondition_failed", "error code");

console.log(JSON.stringify({ quotes: seen.length, pages, created: id, refused: refused.errors[0].code }));
