import { expect, type Page } from "@playwright/test";

/** Asks for access through the request form; returns the new request's id. */
export async function requestAccess(page: Page, entitlement: string, fill: { minutes: number; justification: string; ticket?: string; breakGlass?: boolean }) {
  await page.goto("/access-requests");
  const item = page.getByTestId("eligibility").locator("li").filter({ hasText: entitlement });
  await item.getByRole("button", { name: "Request…" }).click();
  const form = page.getByRole("form", { name: `Request ${entitlement}` });
  if (fill.breakGlass) await form.getByRole("checkbox").check();
  await form.getByLabel(/Duration in minutes/).fill(String(fill.minutes));
  await form.getByLabel(fill.breakGlass ? "What is the emergency?" : /Justification/).fill(fill.justification);
  if (fill.ticket) await form.getByLabel(/Ticket/).fill(fill.ticket);
  await form.getByRole("button", { name: fill.breakGlass ? "Activate break-glass" : /^(Request|Activate)$/ }).click();
  const link = page.getByRole("status").getByRole("link", { name: "Follow it" });
  await expect(link).toBeVisible();
  return (await link.getAttribute("href"))!.split("/").pop()!;
}
