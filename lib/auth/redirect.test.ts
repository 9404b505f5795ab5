import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "./redirect";

const APP = "http://localhost:3000";

describe("safeRedirectPath: post-sign-in destinations stay on the app", () => {
  // Each of these, followed by a browser, leaves the app (or runs script).
  const hostile = [
    "/%5Cevil.example", // as sent: the decoded form below is what the page receives
    "/\\evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "//evil.example",
    "///evil.example",
    "/.//evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "https://evil.example/path?x=1",
    "http://localhost:3000@evil.example/",
    "https:evil.example",
    "HTTPS://EVIL.EXAMPLE",
    "/\r\nLocation: x",
    "/%0d%0aLocation:%20x",
    "javascript:alert(document.domain)",
    " javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http://localhost:3001/", // another port is another origin
    "http://user:pass@localhost:3000/",
  ];

  it.each(hostile)("refuses %j", (input) => {
    expect(safeRedirectPath(input, APP)).toBe("/");
    // Without the app's origin at hand, whatever comes back is still a plain path here.
    const path = safeRedirectPath(input);
    expect(path).toMatch(/^\/(?![/\\])/);
    expect(new URL(path, APP).origin).toBe(APP);
  });

  it("refuses what is not a string, empty or absurdly long", () => {
    for (const input of [undefined, null, 42, ["/a", "/b"], "", `/${"a".repeat(3000)}`]) expect(safeRedirectPath(input, APP)).toBe("/");
  });

  it.each([
    ["/", "/"],
    ["/identities", "/identities"],
    ["/identities?kind=human&page=2#top", "/identities?kind=human&page=2#top"],
    ["/certifications/abc/../def", "/certifications/def"],
    ["identities", "/identities"],
    ["/%E0%A4%A", "/%E0%A4%A"],
    [`${APP}/audit?x=1`, "/audit?x=1"],
  ])("keeps %j as %j", (input, want) => {
    expect(safeRedirectPath(input, APP)).toBe(want);
  });

  it("keeps an absolute URL only when it is the app's own origin", () => {
    expect(safeRedirectPath(`${APP}/audit`)).toBe("/");
    expect(safeRedirectPath("https://app.example/audit", "https://app.example")).toBe("/audit");
    expect(safeRedirectPath("http://app.example/audit", "https://app.example")).toBe("/");
  });
});
