import { EmptyState } from "./card";

export function Forbidden({ what }: { what: string }) {
  return <EmptyState title={`You do not have access to ${what}.`}>Ask an administrator if you need it.</EmptyState>;
}
